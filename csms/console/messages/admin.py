"""The administrators' page: API tokens, station registration, settings."""

ZH = {
    "API tokens and roles": "API 令牌与角色",
    "Token {name} ({role}) is created. Copy its secret now: it is shown only this once.":
        "令牌 {name}（{role}）已创建。请立即复制其密钥：密钥仅显示这一次。",
    "Secret": "密钥",
    "Role": "角色",
    "Create token": "创建令牌",
    "Created": "创建时间",
    "Action": "操作",
    "revoked": "已吊销",
    "active": "有效",
    "Revoke token {name}? Its REST calls and console sessions stop at once.":
        "吊销令牌 {name}？其 REST 调用和控制台会话将立即失效。",
    "Revoke token {name}": "吊销令牌 {name}",
    "Revoke": "吊销",
    "you": "当前用户",
    "Unknown role.": "未知角色。",
    "You cannot revoke the token you are signed in with.": "不能吊销您当前登录所用的令牌。",
    "No such token.": "没有该令牌。",
    "Register a station": "注册充电桩",
    "Station {id} is registered ({status}).": "充电桩 {id} 已注册（{status}）。",
    "It signs in with HTTP Basic auth: user {id} and this password. "
    "Copy it now: it is shown only this once.":
        "充电桩以 HTTP Basic 认证接入：用户名 {id}，密码如下。请立即复制：密码仅显示这一次。",
    "Password": "密码",
    "It connects without a password (security profile 0).": "该充电桩无需密码接入（安全等级 0）。",
    "Station id": "充电桩编号",
    "Registration": "注册状态",
    "Accepted": "已接受",
    "Pending": "待审核",
    "Generate a password": "生成密码",
    "Register": "注册",
    "Letters, digits and . _ : - (at most 48). "
    "Pending stations boot as Pending until an operator accepts them.":
        "字母、数字及 . _ : -（最多 48 个字符）。待审核的充电桩在运营人员接受前以 Pending 状态启动。",
    "A station id is 1 to 48 letters, digits or . _ : -": "充电桩编号为 1 至 48 个字母、数字或 . _ : -",
    "Unknown registration status.": "未知的注册状态。",
    "Station {id} is already registered.": "充电桩 {id} 已注册。",
    "Settings": "系统设置",
    "Read from the environment (CSMS_…) at start. Passwords, keys, secrets and addresses that may hold "
    "credentials are shown only as set or not set.":
        "启动时从环境变量（CSMS_…）读取。密码、密钥及可能含凭据的地址只显示是否已设置。",
    "Setting": "设置项",
    "Secrets and addresses": "密钥与地址",
    "Value": "值",
    "set": "已设置",
    "not set": "未设置",
}
