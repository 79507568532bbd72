"""HTTP shared by the forge clients and the gates: one retrying session, its retry policy, and redaction."""
