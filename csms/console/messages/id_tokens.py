"""Id tokens."""

ZH = {
    "New id token": "新增充电卡",
    "Type": "类型",
    "Group id token (optional)": "所属组卡号（可选）",
    "Create": "创建",
    "Expires": "有效期至",
    "Group": "组",
    "Changed": "修改时间",
    "Action": "操作",
    "Block": "停用",
    "Unblock": "启用",
    "Block {token}": "停用 {token}",
    "Unblock {token}": "启用 {token}",
    "Block {token}?": "确定停用 {token}？",
    "Unblock {token}?": "确定启用 {token}？",
    "Blocked": "已停用",
    "Expired": "已过期",
    "Invalid": "无效",
    "No id token matches.": "没有符合条件的充电卡。",
    "Id token {token} already exists.": "充电卡 {token} 已存在。",
    "Id token {token} does not exist.": "充电卡 {token} 不存在。",
}
