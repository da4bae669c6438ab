// The settings dialog.
#include "settings-dialog.hpp"

#include "job-list.hpp"
#include "ui_settings-dialog.h"

#include "core/http-client.hpp"
#include "core/text.hpp"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QPushButton>

namespace seedance::ui {

namespace {
QString q(const std::string &s)
{
	return QString::fromStdString(s);
}
} // namespace

SettingsDialog::SettingsDialog(SettingsServices services, QWidget *parent)
	: QDialog(parent),
	  services_(std::move(services)),
	  ui_(std::make_unique<Ui::SettingsDialog>())
{
	ui_->setupUi(this);
	setObjectName("SeedanceSettingsDialog");
	setWindowTitle(qtext("Settings.Title"));
	ui_->accountGroup->setTitle(qtext("Settings.Account"));
	ui_->keyLabel->setText(qtext("Settings.Key"));
	ui_->keyEdit->setPlaceholderText("sk-…");
	ui_->showKeyButton->setText(qtext("Settings.ShowKey"));
	ui_->testKeyButton->setText(qtext("Settings.TestKey"));
	ui_->baseUrlLabel->setText(qtext("Settings.Server"));
	ui_->baseUrlCombo->addItem("https://toapis.com");
	ui_->baseUrlCombo->addItem("https://toapis.cn");
	ui_->clipsGroup->setTitle(qtext("Settings.Clips"));
	ui_->folderLabel->setText(qtext("Settings.Folder"));
	ui_->browseButton->setText(qtext("Settings.Browse"));
	ui_->concurrentLabel->setText(qtext("Settings.Concurrent"));
	ui_->resumeInsertCheck->setText(qtext("Settings.ResumeInsert"));
	ui_->defaultsNote->setText(qtext("Settings.DefaultsNote"));
	ui_->buttonBox->button(QDialogButtonBox::Save)->setText(qtext("Settings.Save"));
	ui_->buttonBox->button(QDialogButtonBox::Cancel)->setText(qtext("Settings.Cancel"));

	original_ = services_.fileSettings ? services_.fileSettings() : core::Settings{};
	ui_->keyEdit->setText(q(original_.apiKey));
	ui_->baseUrlCombo->setCurrentText(q(original_.baseUrl));
	ui_->folderEdit->setText(q(original_.clipFolder.empty() ? services_.defaultClipFolder : original_.clipFolder));
	ui_->concurrentSpin->setValue(original_.maxConcurrent);
	ui_->resumeInsertCheck->setChecked(original_.insertResumedClips);
	QStringList env;
	if (services_.overrides.apiKey)
		env << qtext("Settings.EnvKey");
	if (services_.overrides.baseUrl)
		env << qtext("Settings.EnvUrl");
	ui_->envLabel->setText(env.join("\n"));
	ui_->envLabel->setVisible(!env.isEmpty());
	ui_->testResultLabel->hide();

	connect(ui_->showKeyButton, &QToolButton::toggled, this, [this](bool show) {
		ui_->keyEdit->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
		ui_->showKeyButton->setText(qtext(show ? "Settings.HideKey" : "Settings.ShowKey"));
	});
	connect(ui_->testKeyButton, &QPushButton::clicked, this, &SettingsDialog::startTest);
	connect(ui_->browseButton, &QPushButton::clicked, this, [this] {
		QString dir =
			QFileDialog::getExistingDirectory(this, qtext("Settings.Folder"), ui_->folderEdit->text());
		if (!dir.isEmpty())
			ui_->folderEdit->setText(dir);
	});
	connect(ui_->buttonBox, &QDialogButtonBox::accepted, this, [this] {
		if (core::Error e = core::checkUrlAllowed(edited().baseUrl)) {
			ui_->testResultLabel->setText(
				qtext("Error.BaseUrl").replace("{url}", ui_->baseUrlCombo->currentText()));
			ui_->testResultLabel->show();
			return;
		}
		if (services_.save)
			services_.save(edited());
		accept();
	});
	connect(ui_->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

SettingsDialog::~SettingsDialog()
{
	*alive_ = false; // a Test key answer arriving later is dropped
}

core::Settings SettingsDialog::edited() const
{
	core::Settings s = original_;
	s.apiKey = ui_->keyEdit->text().trimmed().toStdString();
	s.baseUrl = ui_->baseUrlCombo->currentText().trimmed().toStdString();
	QString folder = ui_->folderEdit->text().trimmed();
	s.clipFolder = folder == q(services_.defaultClipFolder) ? std::string() : folder.toStdString();
	s.maxConcurrent = ui_->concurrentSpin->value();
	s.insertResumedClips = ui_->resumeInsertCheck->isChecked();
	return s;
}

void SettingsDialog::startTest()
{
	if (!services_.testKey)
		return;
	core::ClientConfig config;
	config.apiKey = ui_->keyEdit->text().trimmed().toStdString();
	config.baseUrl = ui_->baseUrlCombo->currentText().trimmed().toStdString();
	config.retry.maxAttempts = 1;
	config.requestTimeout = std::chrono::milliseconds(15000);
	ui_->testKeyButton->setEnabled(false);
	ui_->testResultLabel->setText(qtext("Settings.Testing"));
	ui_->testResultLabel->show();
	std::weak_ptr<bool> alive = alive_;
	services_.testKey(config, [this, alive](core::Error error, int models) {
		auto a = alive.lock();
		if (!a || !*a)
			return;
		ui_->testKeyButton->setEnabled(true);
		ui_->testResultLabel->setText(error ? q(core::userMessage(error))
						    : qtext("Settings.TestOk").arg(models));
		ui_->testResultLabel->setProperty("themeID", error ? "error" : "good");
		ui_->testResultLabel->setProperty("class", error ? "text-danger" : "text-success");
	});
}

} // namespace seedance::ui
