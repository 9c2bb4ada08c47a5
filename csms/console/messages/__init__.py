"""Chinese texts of the console, one module per area (``ZH = {english: chinese}``), found by ``i18n``."""
