"""Chinese names of every 全程纪实 action the services write (one place; tests check none is missing)."""

from __future__ import annotations

from django.apps import apps

from zhenggai.evaluation.audit_labels import ACTION_LABELS as EVALUATION_LABELS
from zhenggai.ledger.security_audit import ACTION_LABELS as SECURITY_LABELS
from zhenggai.ledger.services.organisation.labels import ACTION_LABELS as ORGANISATION_LABELS

ACTION_LABELS: dict[str, str] = {
    # inspections and the ledger editor
    "create_inspection": "新建巡察",
    "update_inspection": "修改巡察信息",
    "complete_inspection": "标记整改完成",
    "reopen_inspection": "撤销整改完成标记",
    "set_extension_limits": "设置延期限额",
    "plan_deadline": "确定整改时限",
    "add_finding": "新增问题",
    "edit_finding": "修改问题",
    "move_finding": "调整问题顺序",
    "delete_finding": "删除问题",
    "add_measure": "新增整改措施",
    "edit_measure": "修改整改措施",
    "move_measure": "调整整改措施顺序",
    "delete_measure": "删除整改措施",
    # progress, 销号 and 延期
    "report_progress": "报送整改进展",
    "request_signoff": "申请销号",
    "approve_signoff": "同意销号",
    "reject_signoff": "退回销号申请",
    "withdraw_signoff": "撤回销号申请",
    "request_extension": "申请延期",
    "approve_extension_leader": "单位领导同意延期",
    "approve_extension": "同意延期",
    "reject_extension": "退回延期申请",
    "withdraw_extension": "撤回延期申请",
    "reopen_measure": "重新打开整改措施",
    # records
    "record_regulation": "登记建章立制",
    "record_clue": "登记问题线索",
    "update_clue": "更新问题线索办理情况",
    "add_indicator": "新增整改指标",
    "record_indicator_actual": "登记指标实际值",
    "edit_indicator": "修改整改指标",
    "retire_indicator": "停用整改指标",
    "issue_indicator_notice": "发出预算项目执行率预警单",
    # 督办单
    "issue_supervision_notice": "下发督办单",
    "reply_supervision_notice": "回复督办单",
    "close_supervision_notice": "办结督办单",
    "escalate_supervision_notice": "督办单升级督办",
    # 通报
    "publish_notice": "生成通报新版本",
    "approve_notice": "审定通报",
    "sign_notice": "签发发布通报",
    "withdraw_notice": "撤回通报",
    "set_email_mutes": "设置邮件通知",
    # 群众意见 (portal)
    "submit_feedback": "收到群众意见",
    "accept_feedback": "受理群众意见",
    "answer_feedback": "答复群众意见",
    "publish_feedback": "公开群众意见答复",
    "reject_feedback": "不予受理群众意见",
    "link_feedback": "群众意见关联反馈问题",
    "feedback_to_clue": "群众意见转为问题线索",
    "erase_feedback_contact": "删除群众意见联系方式",
    # API tokens
    "create_api_token": "创建 API 令牌",
    "revoke_api_token": "吊销 API 令牌",
    "directory_set_role": "统一身份认证授予角色",
    "directory_remove_role": "统一身份认证收回角色",
    # organisation and users
    **ORGANISATION_LABELS,
    # 整改评估 and 回头看
    **EVALUATION_LABELS,
    # logins, downloads, accounts (等保 安全审计)
    **SECURITY_LABELS,
}

# Edits in the Django admin: admin_<add|change|delete>_<model>.
_ADMIN_VERBS = {"add": "后台新增", "change": "后台修改", "delete": "后台删除"}


def action_label(action: str) -> str:
    """The Chinese name of an audit action; an unknown one is shown as written (the test keeps this rare)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("admin_"):
        verb, _, model_name = action.removeprefix("admin_").partition("_")
        if verb in _ADMIN_VERBS:
            return _ADMIN_VERBS[verb] + _model_noun(model_name)
    return action


def _model_noun(model_name: str) -> str:
    for config in apps.get_app_configs():
        try:
            model = config.get_model(model_name)
        except LookupError:
            continue
        return str(model._meta.verbose_name)
    return model_name
