"""The OpenAPI schema's shared parts: every operation documents the error answers it can give
(400 for bad input, 401 without credentials, 403 refused by role or token scope, 404 for an
unknown or out-of-scope id, 429 when the token's rate is used up), so clients and schemathesis
can tell a documented refusal from a fault."""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": "`detail` for a refusal; one list of messages per field for bad input.",
    "additionalProperties": True,
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE", "GET") or self._is_list_view():
            codes.insert(0, "400")
        for code in codes:
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": ERROR_BODY}},
                    "description": "",
                },
            )
        return responses
