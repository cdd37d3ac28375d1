import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { createRoot } from 'react-dom/client';
import { lazy, StrictMode, Suspense } from 'react';
import { App } from './app.js';
import { LoadingScreen } from './loading-screen.js';
import { shareSecretFromPath } from './share/share-api.js';
import './global.css';

/** A shareable link's page (design 0007) has no portal around it: no sign-in, no navigation. */
const SharePage = lazy(() => import('./share/share-page.js').then((m) => ({ default: m.SharePage })));
const shareSecret = shareSecretFromPath(window.location.pathname);

const container = document.getElementById('root');
if (!container) throw new Error('index.html must contain <div id="root">.');

createRoot(container).render(
  <StrictMode>
    <FluentProvider theme={webLightTheme} style={{ minHeight: '100vh' }}>
      {shareSecret ? (
        <Suspense fallback={<LoadingScreen />}>
          <SharePage secret={shareSecret} />
        </Suspense>
      ) : (
        <App />
      )}
    </FluentProvider>
  </StrictMode>,
);
