"""Sign-on with an organisation's own accounts (OpenID Connect, authorization-code flow)."""
