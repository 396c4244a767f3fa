"""The SQLite store: the database object, the schema, one module per table, the Store facade."""
