// The login screen's words in English: the same keys as login.zh-CN.ts.
const loginEn = {
  title: 'Log in',
  product: '前哨',
  productLatin: 'Outpost',
  subtitle: 'Community governance command center',
  tagline: 'Requests, camera alerts and patrols on one map',
  heading: 'Outpost · Community governance command center',
  language: 'Language',
  username: 'Username',
  password: 'Password',
  submit: 'Log in',
  submitting: 'Logging in…',
  required: 'Enter your username and password',
  invalid: 'Wrong username or password',
  throttled: 'Too many attempts; try again later',
  throttledFor: 'Too many attempts; try again in {seconds} seconds',
  locked: 'Too many attempts: logging in is locked for now',
  lockedWait: 'Try again in {wait}. This guards against password guessing and does not lock anyone else out.',
  lockedLeft: '{wait} left',
  seconds: '{n} seconds',
  minutes: '{n} minutes',
  busy: 'The server is busy; try again in a few seconds. This try was not counted as a failure.',
  failed: 'Could not log in; try again later',
}

export default loginEn
