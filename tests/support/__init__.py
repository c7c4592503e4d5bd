"""Test helpers, in one place: systems of real services on a real broker and databases,
loopback receivers (webhook, SMTP), a TCP proxy to cut connections, service processes,
a desk client that retries with the same keys, and request builders."""
