// The one seam for registering a dock across OBS 29 (QDockWidget polyfill) and OBS 30+ (by id).
#pragma once

class QWidget;

namespace seedance::ui {

// Adds `widget` as a dock named `id` (stable object name, used by OBS to save its state) titled `title`.
// OBS owns the dock afterwards: never delete it yourself. With `showFirstTime`, a dock that has no saved state
// yet is shown (docked on the right) instead of starting hidden in the Docks menu: a new user sees it at once.
bool addDock(const char *id, const char *title, QWidget *widget, bool showFirstTime = false);

} // namespace seedance::ui
