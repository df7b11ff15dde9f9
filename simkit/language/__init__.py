"""Language: tokens and lemmas, lexicons, behaviour detection, politeness and topics."""
