"""Qt widgets of the Easel desktop app: windows, panels, dialogs; they talk to app/ through signals."""
