"""Content: safe YAML loading, typed models, validation and the kit that holds them."""
