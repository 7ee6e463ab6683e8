// The login screen's words in Chinese (the default locale).
const loginZhCN = {
  title: '登录',
  product: '前哨',
  productLatin: 'Outpost',
  subtitle: '基层治理指挥中心',
  tagline: '诉求、告警、巡查一张图，让末梢变前哨',
  heading: '前哨 · 基层治理指挥中心',
  language: '语言',
  username: '用户名',
  password: '密码',
  submit: '登录',
  submitting: '正在登录…',
  required: '请输入用户名和密码',
  invalid: '用户名或密码错误',
  throttled: '登录尝试过多，请稍后再试',
  throttledFor: '登录尝试过多，请 {seconds} 秒后再试',
  locked: '登录尝试过多，已暂时锁定',
  lockedWait: '请在 {wait}后再试。这是为了防止密码被猜测，不影响其他人登录。',
  lockedLeft: '还需等待 {wait}',
  seconds: '{n} 秒',
  minutes: '{n} 分钟',
  busy: '服务器正忙，请几秒后再试。这次尝试没有计入失败次数。',
  failed: '登录失败，请稍后重试',
}

export default loginZhCN
