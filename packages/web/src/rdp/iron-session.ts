import type { UserInteraction } from '@devolutions/iron-remote-desktop';
import type { DesktopSize } from './desktop-size.js';
import type { KeyStroke } from './key-sequences.js';

/**
 * The IronRDP glue, without React: loads Devolutions' web component and RDP backend (the 4 MB WASM, on
 * first use only), puts one <iron-remote-desktop> in a host element and connects it through the relay.
 *
 * The web component already does the input work: keyboard by physical key (KeyboardEvent.code →
 * scancode, so the VM's layout applies), mouse, wheel, cursor shapes, fit-to-element scaling and text/
 * image clipboard sync. What it does not expose, the live IronRDP session (for key sequences and
 * releasing held keys), is captured by handing it a SessionBuilder subclass.
 */

type RdpModule = typeof import('@devolutions/iron-remote-desktop-rdp');
type Backend = RdpModule['Backend'];
type RdpSession = Awaited<ReturnType<InstanceType<Backend['SessionBuilder']>['connect']>>;

/** ScreenScale.Fit of the web component (a `declare enum` there). */
const SCALE_FIT = 1 as Parameters<UserInteraction['setScale']>[0];

let loading: Promise<RdpModule> | undefined;

/** Loads the component and the WASM once per page; a failed load may be retried. */
export function loadIronRdp(): Promise<RdpModule> {
  loading ??= (async () => {
    const [rdp] = await Promise.all([import('@devolutions/iron-remote-desktop-rdp'), import('@devolutions/iron-remote-desktop')]);
    await rdp.init('WARN'); // once: it also installs IronRDP's global log subscriber
    return rdp;
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

export interface RdpConnectTarget {
  username: string;
  password: string;
  /** "ip:port" from the token response (the relay dials only what the token names). */
  destination: string;
  /** wss URL of the relay. */
  proxyUrl: string;
  token: string;
  /** The bastion's word on the text clipboard (false: `disableCopyPaste`); it wins over `options.clipboard`. */
  clipboard: boolean;
}

export interface IronSessionOptions {
  desktopSize: DesktopSize;
  /** The page's wish for the text clipboard; on only if the bastion allows it too (`RdpConnectTarget.clipboard`). */
  clipboard: boolean;
  /**
   * Fetches a fresh single-use token (valid 30 s); called once the client is loaded, before the component is
   * created (its clipboard is set up from the answer), then connected right away.
   */
  target: () => Promise<RdpConnectTarget>;
  onWarning?: (message: string) => void;
  /** The browser would not let the page write the clipboard by itself: the user must click "Copy from VM". */
  onRemoteClipboard?: () => void;
  signal: AbortSignal;
}

export class IronSession {
  /** Resolves with IronRDP's termination reason when the session ends; rejects with an IronError. */
  readonly ended: Promise<string>;
  #userEnded = false;

  private constructor(
    private readonly rdp: RdpModule,
    readonly element: HTMLElement,
    private readonly ui: UserInteraction,
    private readonly session: RdpSession,
    run: () => Promise<{ reason(): string }>,
  ) {
    this.ended = run().then((info) => info.reason());
  }

  /** Whether the user ended the session (Disconnect, closing the page) rather than the VM or the network. */
  get userEnded(): boolean {
    return this.#userEnded;
  }

  static async connect(host: HTMLElement, options: IronSessionOptions): Promise<IronSession> {
    const rdp = await loadIronRdp();
    options.signal.throwIfAborted();
    const target = await options.target();
    options.signal.throwIfAborted();
    const clipboard = options.clipboard && target.clipboard;
    let captured: RdpSession | undefined;
    // The component builds and connects the session itself; this subclass lets us keep a reference.
    class CapturingSessionBuilder extends rdp.Backend.SessionBuilder {
      override async connect(): Promise<RdpSession> {
        const session = await super.connect();
        captured = session;
        return session;
      }
    }
    const module: Backend = { ...rdp.Backend, SessionBuilder: CapturingSessionBuilder };

    const element = document.createElement('iron-remote-desktop');
    Object.assign(element, { module });
    element.setAttribute('scale', 'fit');
    element.setAttribute('flexcenter', 'true');
    element.setAttribute('verbose', 'false');
    element.style.cssText = 'display:block;width:100%;height:100%';
    const ui = await new Promise<UserInteraction>((resolve) => {
      element.addEventListener(
        'ready',
        (event) => {
          const ui = (event as CustomEvent<{ irgUserInteraction: UserInteraction }>).detail.irgUserInteraction;
          // Synchronously, before the component sets up its clipboard: off means no CLIPRDR channel at all
          // and no polling of the local clipboard.
          ui.setEnableClipboard(clipboard);
          ui.setEnableAutoClipboard(clipboard);
          ui.setKeyboardUnicodeMode(false);
          ui.onWarningCallback((message) => options.onWarning?.(message));
          ui.onClipboardRemoteUpdateCallback(() => options.onRemoteClipboard?.());
          resolve(ui);
        },
        { once: true },
      );
      host.replaceChildren(element);
    });

    try {
      if (clipboard) await clipboardSetupSettled();
      options.signal.throwIfAborted();
      const { enableCredssp, displayControl } = rdp;
      const config = ui
        .configBuilder()
        .withUsername(target.username)
        .withPassword(target.password)
        .withDestination(target.destination)
        .withProxyAddress(target.proxyUrl)
        .withAuthToken(target.token)
        .withDesktopSize(options.desktopSize)
        // NLA (CredSSP) when the VM asks for it; TLS-only servers simply pick TLS.
        .withExtension(enableCredssp(true))
        .withExtension(displayControl(true))
        .build();
      const info = await ui.connect(config);
      if (!captured) throw new Error('IronRDP connected without a session.');
      const session = new IronSession(rdp, element, ui, captured, info.run);
      ui.setVisibility(true);
      if (options.signal.aborted) session.dispose();
      return session;
    } catch (error) {
      element.remove();
      throw error;
    }
  }

  /** Sends key presses and releases as one input transaction. */
  send(strokes: readonly KeyStroke[]): void {
    const { InputTransaction, DeviceEvent } = this.rdp.Backend;
    const transaction = new InputTransaction();
    for (const s of strokes) transaction.addEvent(s.pressed ? DeviceEvent.keyPressed(s.scancode) : DeviceEvent.keyReleased(s.scancode));
    this.session.applyInputs(transaction);
  }

  /** Releases every key and button the VM believes held (before the keyboard leaves the desktop). */
  releaseAllInputs(): void {
    this.session.releaseAllInputs();
  }

  /**
   * Asks the VM for a new desktop size (display control). The component also stretches the canvas to that
   * size at once; refitting right away keeps the picture undistorted until the VM answers with its new
   * size (it then refits by itself), and for good when the VM keeps its size (the testbed's xrdp 0.9.21 does).
   */
  resize(size: DesktopSize): void {
    this.ui.resize(size.width, size.height);
    this.ui.setScale(SCALE_FIT);
  }

  focus(): void {
    this.element.focus();
  }

  /** Whether the keyboard goes to the desktop (the component only sends keys while it has focus). */
  hasFocus(): boolean {
    return document.activeElement === this.element;
  }

  /** Sends the local clipboard to the VM (needs a click: the browser asks for permission). */
  sendClipboard(): Promise<void> {
    return this.ui.sendClipboardData();
  }

  /** Writes what the VM copied into the local clipboard (needs a click). */
  saveRemoteClipboard(): Promise<void> {
    return this.ui.saveRemoteClipboardData();
  }

  /** Ends the session and removes the element. Safe to call more than once. */
  dispose(): void {
    if (!this.#userEnded) {
      this.#userEnded = true;
      try {
        this.ui.shutdown();
      } catch {
        // Already ended: nothing to shut down.
      }
    }
    this.element.remove(); // the component removes its window listeners and stops its clipboard loop
  }
}

/**
 * The component decides how to do the clipboard after an async permission query that starts with its
 * `ready` event, and reads that decision when connecting. Queries answer in order, so once ours has, so
 * has its; one more task lets its continuation run.
 */
async function clipboardSetupSettled(): Promise<void> {
  try {
    await navigator.permissions.query({ name: 'clipboard-read' as PermissionName });
  } catch {
    // No such permission name in this browser: the component falls back the same way.
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
