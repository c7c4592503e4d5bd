"""gRPC plumbing shared by the services: server bootstrap and rich error statuses."""
