"""全程纪实 names of the organisation actions."""

ACTION_LABELS = {
    "add_department": "添加内设部门",
    "rename_unit": "修改单位名称",
    "add_user": "添加用户",
    "set_role": "设置用户角色",
    "reset_password": "重设密码",
    "deactivate_user": "停用账号",
    "activate_user": "启用账号",
    "import_organisation": "批量导入单位和用户",
}
