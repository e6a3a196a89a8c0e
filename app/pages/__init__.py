"""Pages that belong to no domain: home, privacy, accessibility, language, health."""
