// Seedance settings: API key (password echo, show toggle, Test key), server, clip folder, jobs at once. Saved as
// the configuration contract says (config.json, mode 0600, never the scene collection).
#pragma once

#include "core/settings.hpp"

#include <QDialog>

#include <functional>
#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace seedance::ui {

struct SettingsServices {
	std::function<core::Settings()> fileSettings; // as stored (no environment overrides)
	core::EnvironmentOverrides overrides;
	std::function<void(const core::Settings &)> save;
	// Calls GET /v1/models off the UI thread; `done` arrives on the UI thread with the error (if any) and the
	// number of models the key may use.
	std::function<void(const core::ClientConfig &, std::function<void(core::Error, int)>)> testKey;
	std::string defaultClipFolder;
};

class SettingsDialog : public QDialog {
	Q_OBJECT

public:
	explicit SettingsDialog(SettingsServices services, QWidget *parent = nullptr);
	~SettingsDialog() override;

	Ui::SettingsDialog *form() const { return ui_.get(); }
	// The settings the dialog shows (what Save would store).
	core::Settings edited() const;

private:
	void startTest();

	SettingsServices services_;
	std::unique_ptr<Ui::SettingsDialog> ui_;
	core::Settings original_;
	std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace seedance::ui
