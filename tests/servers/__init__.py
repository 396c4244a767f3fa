"""Real servers for tests: slapd (OpenLDAP) and PostgreSQL from Debian, each started on a free
loopback port in a temporary folder and stopped by its PID. See REAL-SERVERS in the team's notes."""
