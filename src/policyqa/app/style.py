"""The page's look: the chat's CSS and the script that scrolls the document viewer to the cited passage.

Kept apart from the layout (app/ui.py) so the page's structure and its styling can be read on their own.
"""

CSS = """
.pq-source {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px 10px; margin:0;}
.pq-head {font-weight:600;}
.pq-n {color: var(--color-accent); font-weight:700; margin-right:4px;}
.pq-alt {color: var(--body-text-color-subdued); font-size: 0.9em;}
.pq-meta {color: var(--body-text-color-subdued); font-size: 0.85em; margin-top:2px;}
.pq-section {font-size:0.85em; font-style: italic; margin-top:2px;}
.pq-text {margin-top:6px; white-space: pre-wrap; font-size:0.92em; max-height: 14em; overflow-y:auto;}
mark.pq-sentence, mark.pq-target {background:#fde68a; color:#111; padding:0 1px; border-radius:2px;}
/* the text above a cited sentence deep in its passage, folded so the sentence shows when the card does */
.pq-before > summary {cursor:pointer; color: var(--body-text-color-subdued); list-style:none;}
.pq-before > summary::-webkit-details-marker {display:none;}
.pq-more {font-size:0.85em; text-decoration: underline dotted;}
.pq-doc-title {font-weight:700; font-size:1.05em;}
.pq-doc-text {white-space: pre-wrap; margin-top:8px; max-height: 460px; overflow-y:auto;
              border-top:1px solid var(--border-color-primary); padding-top:6px; font-size:0.92em;}
.pq-upload {color:#92400e; background:#fef3c7; font-size:0.85em; border-radius:4px; padding:1px 6px;
             margin-top:3px; display:inline-block;}
.pq-viewer-empty {color: var(--body-text-color-subdued); font-style: italic;}
.pq-slot {gap: 4px !important;}
/* the chat's label on a line of its own: floating, it covered the first line of a scrolled answer */
#pq-chat label[data-testid="block-label"] {position: static; margin: var(--block-label-margin);}
#pq-chat .bubble-wrap {padding-top: var(--spacing-sm);}
/* a comparison's columns by share, not by content: the long answers had left the documents a sliver */
#pq-chat .pq-compare table {table-layout: fixed; width: 100%;}
#pq-chat .pq-compare td {overflow-wrap: anywhere;}
#pq-chat .pq-by-region th:first-child {width: 7em;}
#pq-chat .pq-by-region td:first-child {word-break: keep-all;}
#pq-chat .pq-by-region th:last-child {width: 32%;}
#pq-chat .pq-by-document th:first-child {width: 28%;}
#pq-chat .pq-by-document th:last-child {width: 7.5em;}
"""

SCROLL_JS = """() => { setTimeout(() => {
  const box = document.getElementById('pq-doc-text'); const target = document.getElementById('pq-target');
  if (box && target) { box.scrollTop = target.offsetTop - box.offsetTop - 80; }
  const viewer = document.getElementById('pq-viewer'); if (viewer) viewer.scrollIntoView({block: 'nearest'});
}, 150); }"""
