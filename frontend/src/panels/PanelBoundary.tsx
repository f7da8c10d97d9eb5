// An error boundary around one panel: if the panel throws while rendering (or in an effect), the
// rest of the editor keeps working and the panel shows what went wrong with a way to reload it,
// instead of React unmounting the whole page.
import { Component, Fragment, type ReactNode } from "react";

interface Props {
  /** What the person calls this panel ("canvas", "results"), for the message. */
  name: string;
  /** Classes for the fallback, so that it takes the panel's place in the layout. */
  className?: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  /** Bumped by "Reload panel", so that the panel mounts afresh with new state. */
  mount: number;
}

export class PanelBoundary extends Component<Props, State> {
  state: State = { error: null, mount: 0 };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  private readonly reload = () => this.setState((s) => ({ error: null, mount: s.mount + 1 }));

  render(): ReactNode {
    const { error, mount } = this.state;
    if (!error) return <Fragment key={mount}>{this.props.children}</Fragment>;
    return (
      <div className={`panel-crash ${this.props.className ?? ""}`} role="alert" data-testid="panel-crash" data-panel={this.props.name}>
        <div className="panel-crash-card">
          <b>The {this.props.name} panel stopped working.</b>
          <p className="panel-crash-message">{error.message || error.name}</p>
          <p className="muted small">The rest of the editor still works and your workflow is kept.</p>
          <button className="btn small" onClick={this.reload} data-testid="panel-reload">
            Reload panel
          </button>
        </div>
      </div>
    );
  }
}
