"""nianbao: government information disclosure annual reports, parsed and loaded."""

__version__ = "0.1.0"
