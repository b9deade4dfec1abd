"""Public contracts of Thi đua: everything an outside subscriber needs to read the log."""

CONTRACT_VERSION = 1
