"""The emulated /cgi-bin surface: the gate, the endpoint table, the envelope and handlers."""
