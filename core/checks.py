"""System checks for what pip cannot install: WeasyPrint's system libraries."""

import ctypes.util

from django.core.checks import Tags, Warning, register

# Debian package that provides each library, named in the warning so the fix is one command.
REQUIRED_LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    # Without it WeasyPrint silently falls back to fontTools' subsetter, 3-5x slower.
    "harfbuzz-subset": "libharfbuzz-subset0",
}


def missing_system_libraries() -> dict[str, str]:
    return {
        lib: pkg for lib, pkg in REQUIRED_LIBRARIES.items() if not ctypes.util.find_library(lib)
    }


@register(Tags.compatibility, "system_libraries")
def check_weasyprint_libraries(app_configs, **kwargs):
    missing = missing_system_libraries()
    if not missing:
        return []
    packages = " ".join(sorted(set(missing.values())))
    return [
        Warning(
            f"WeasyPrint's system libraries are missing: {', '.join(sorted(missing))}. "
            "Certificates cannot be rendered (or render 3-5x slower without harfbuzz-subset).",
            hint=f"Install them: sudo apt-get install {packages}",
            id="tandem.W001",
        )
    ]
