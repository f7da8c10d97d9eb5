"""Authentication: users with argon2 password hashes, personal API tokens stored as hashes (issue 8)."""
