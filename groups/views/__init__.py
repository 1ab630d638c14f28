"""Community group pages: officers' pages (groups, members, register) and the public form."""
