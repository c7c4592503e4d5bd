"""Ports handed to a launcher's services must all differ, or one of them fails to bind."""

import socket

from madoguchi.localports import free_port


def test_ports_handed_out_never_repeat_and_are_bindable() -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[-1]))
