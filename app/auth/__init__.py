"""Who is calling: accounts (people and cameras) and their credentials, stored hashed."""
