// The login screen's words in Chinese (the default locale).
const loginZhCN = {
  title: '登录',
  heading: '前哨 · 基层治理指挥中心',
  username: '用户名',
  password: '密码',
  submit: '登录',
  submitting: '正在登录…',
  required: '请输入用户名和密码',
  invalid: '用户名或密码错误',
  throttled: '登录尝试过多，请稍后再试',
  throttledFor: '登录尝试过多，请 {seconds} 秒后再试',
  failed: '登录失败，请稍后重试',
}

export default loginZhCN
