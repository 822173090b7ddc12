"""JSON in, refused plainly when it cannot be read: Python's parser gives up on very deeply
nested arrays with a RecursionError, which would otherwise be a 500."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply to read.") from None
