"""/cgi-bin handlers, one module per API area: parameters -> rules -> store -> payload."""
