// The login screen's words in English: the same keys as login.zh-CN.ts.
const loginEn = {
  title: 'Log in',
  heading: 'Outpost · Community governance command center',
  username: 'Username',
  password: 'Password',
  submit: 'Log in',
  submitting: 'Logging in…',
  required: 'Enter your username and password',
  invalid: 'Wrong username or password',
  throttled: 'Too many attempts; try again later',
  throttledFor: 'Too many attempts; try again in {seconds} seconds',
  failed: 'Could not log in; try again later',
}

export default loginEn
