import { Component, type ReactNode } from 'react';
import { Alert, Button } from '@mantine/core';

/** A view that throws shows what happened and a way back, instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" title="This view failed to load">
        {this.state.error.message}
        <div>
          <Button mt="sm" variant="light" onClick={() => this.setState({ error: null })}>
            Try again
          </Button>
        </div>
      </Alert>
    );
  }
}
