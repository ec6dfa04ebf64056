import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EvidencePage } from './EvidencePage.tsx';
import '../styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <EvidencePage />
    </StrictMode>,
  );
}
