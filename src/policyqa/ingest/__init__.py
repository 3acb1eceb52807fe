"""Files to cleaned, described Documents: decoding (decode), one loader per type (loaders), line-rule cleaning
with an offset map (clean), metadata and document ids (metadata), and the corpus walk that ties them
together (corpus).
"""
