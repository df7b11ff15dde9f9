"""The engine: scenario instances from seeds, reply scoring and dialogues."""
