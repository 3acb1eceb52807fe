"""One Settings object for every command, from defaults < config file < POLICYQA_* env vars < CLI flags.

The config file is `policyqa.yaml` in the working directory, or the path in `POLICYQA_CONFIG`.
CLI flags are applied by the caller with `Settings.load(**overrides)`; `None` overrides are ignored so
an unset flag never hides a value from the environment or the config file.
"""

from .flat import REFUSAL_THRESHOLD, REFUSAL_WEIGHTS, SENTENCE_WEIGHTS, Backend, Mode, Settings
from .sections import (
    AnswerSettings,
    ChunkingSettings,
    FusionSettings,
    IndexSettings,
    LLMSettings,
    RerankSettings,
    ServeSettings,
)
from .sources import SECRETS, SettingsError, cache_dir, describe_errors

__all__ = [
    "REFUSAL_THRESHOLD", "REFUSAL_WEIGHTS", "SECRETS", "SENTENCE_WEIGHTS", "AnswerSettings", "Backend",
    "ChunkingSettings", "FusionSettings", "IndexSettings", "LLMSettings", "Mode", "RerankSettings",
    "ServeSettings", "Settings", "SettingsError", "cache_dir", "describe_errors",
]
