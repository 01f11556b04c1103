"""Domain errors raised by services and shown by views as field errors."""


class RuleError(ValueError):
    """Input that breaks a business rule; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
