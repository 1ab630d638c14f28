"""Local fakes of external services (the WhatsApp Cloud API) for tests and benchmarks."""
