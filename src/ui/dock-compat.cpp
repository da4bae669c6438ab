// Dock registration for OBS 29 (obs_frontend_add_dock + QDockWidget) and OBS 30+ (obs_frontend_add_dock_by_id).
#include "dock-compat.hpp"

#include "core/log.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/config-file.h>

#include <QByteArray>
#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QPointer>
#include <QWidget>

namespace seedance::ui {

namespace {
// One log line per show/hide, so support can tell from a user's log whether the dock was open. An event filter
// rather than visibilityChanged: OBS 29 blocks the dock's signals while its Docks menu toggles it.
class VisibilityLogger : public QObject {
public:
	using QObject::QObject;

protected:
	bool eventFilter(QObject *watched, QEvent *event) override
	{
		if (event->type() == QEvent::Show)
			core::logInfo("dock visible");
		else if (event->type() == QEvent::Hide)
			core::logInfo("dock hidden");
		return QObject::eventFilter(watched, event);
	}
};

// After OBS has finished setting up its window (it lays out and restores docks after FINISHED_LOADING).
void showLater(QDockWidget *dock)
{
	QPointer<QDockWidget> guard(dock);
	QMetaObject::invokeMethod(
		dock,
		[guard] {
			if (guard) {
				guard->show();
				guard->raise();
			}
		},
		Qt::QueuedConnection);
}

void logVisibility(QWidget *widget)
{
	if (auto *dock = qobject_cast<QDockWidget *>(widget->parentWidget()))
		dock->installEventFilter(new VisibilityLogger(dock));
}
} // namespace

#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(30, 0, 0)

namespace {
// OBS restores its window layout (DockState) before FINISHED_LOADING, when this dock did not exist yet, and never
// again for docks added later: the dock would stay floating and hidden whatever the streamer chose last time. So the
// saved layout is applied once more now that the dock exists, as OBS itself does for the docks it adds after login.
bool restoreSavedLayout(QMainWindow *main)
{
#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(31, 0, 0)
	config_t *config = obs_frontend_get_user_config(); // user.ini since OBS 31
#else
	config_t *config = obs_frontend_get_global_config();
#endif
	const char *state = config ? config_get_string(config, "BasicWindow", "DockState") : nullptr;
	if (!state || !*state)
		return false;
	return main->restoreState(QByteArray::fromBase64(QByteArray(state)));
}
} // namespace

bool addDock(const char *id, const char *title, QWidget *widget, bool showFirstTime)
{
	if (!obs_frontend_add_dock_by_id(id, title, widget))
		return false;
	logVisibility(widget);
	auto *dock = qobject_cast<QDockWidget *>(widget->parentWidget());
	auto *main = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!dock || !main)
		return true;
	if (showFirstTime) {
		// OBS adds plugin docks floating (under Xvfb or a tiling window manager: over the menu bar). The first time,
		// dock it on the right as OBS 29 did; OBS saves where the streamer moves it from then on.
		main->addDockWidget(Qt::RightDockWidgetArea, dock);
		dock->setFloating(false);
		showLater(dock);
	} else {
		restoreSavedLayout(main);
	}
	return true;
}

#else

bool addDock(const char *id, const char *title, QWidget *widget, bool showFirstTime)
{
	auto *main = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!main || main->findChild<QDockWidget *>(QString::fromUtf8(id)))
		return false;

	auto *dock = new QDockWidget(main);
	dock->setObjectName(QString::fromUtf8(id)); // OBS saves and restores dock state by object name
	dock->setWindowTitle(QString::fromUtf8(title));
	dock->setWidget(widget);
	dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
			  QDockWidget::DockWidgetFloatable);
	logVisibility(widget);

	// OBS 29 restored the window state before FINISHED_LOADING, when this dock did not exist yet; Qt keeps a
	// placeholder for it. Restore from that, else place it on the right: shown the first time, hidden afterwards
	// like OBS's own extra docks.
	if (!main->restoreDockWidget(dock)) {
		main->addDockWidget(Qt::RightDockWidgetArea, dock);
		dock->hide();
		if (showFirstTime)
			showLater(dock);
	}

	obs_frontend_add_dock(dock);
	return true;
}

#endif

} // namespace seedance::ui
