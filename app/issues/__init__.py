"""Issues (onderwerpen): proposing, discussing, supporting and prioritising them, and the decisions on them."""
