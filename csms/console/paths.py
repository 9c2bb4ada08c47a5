"""Where the console's templates and static files live."""

from pathlib import Path

HERE = Path(__file__).parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
