"""Zhenggai — 巡察整改管理系统."""
