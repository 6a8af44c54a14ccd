"""All SQL the API runs, in functions named for what they answer; parameters always bound."""
