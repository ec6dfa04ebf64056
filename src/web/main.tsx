import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClinicApp } from './clinic/ClinicApp.tsx';
import { ForgotPasswordPage, SetPasswordPage } from './clinic/PasswordLinkPages.tsx';
import { usePath } from './router.tsx';
import './styles.css';

/** The clinic app; survey, unsubscribe and evidence pages are their own HTML entries. */
function App() {
  const path = usePath();
  if (path === '/set-password') return <SetPasswordPage />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  return <ClinicApp path={path} />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
