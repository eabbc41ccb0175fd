"""Chinese names of the 全程纪实 actions of 整改评估 and 回头看 (merged into ledger.audit_labels)."""

ACTION_LABELS: dict[str, str] = {
    "create_rubric": "制定整改评估细则",
    "edit_rubric": "修改整改评估细则",
    "evaluate_inspection": "开展整改评估",
    "adjust_evaluation": "调整整改评估得分",
    "draw_recheck": "抽取回头看样本",
    "assign_recheck_checker": "分配回头看核查人",
    "record_recheck": "登记回头看核查结论",
}
