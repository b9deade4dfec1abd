"""Thi đua service runtime shared by every service: log client, host, settings, storage, CLI."""
