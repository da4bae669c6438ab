// The Seedance dock.
#include "generate-dock.hpp"

#include "ui_generate-dock.h"

#include "core/frame-plan.hpp"
#include "core/generation-request.hpp"
#include "core/text.hpp"

#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QResizeEvent>
#include <QMenu>
#include <QMessageBox>
#include <QScrollArea>
#include <QStyle>
#include <QUrl>

#include <mutex>

namespace seedance::ui {

// The runner calls listeners on its workers; the relay forwards to the dock on the UI thread for as long as the
// dock exists (cleared under the mutex before the dock goes).
struct GenerateDock::Relay {
	std::mutex mutex;
	GenerateDock *dock = nullptr;
};

namespace {

const QString kPreview = QStringLiteral("\x01preview");
const QString kNone = QStringLiteral("\x01none");
const QString kFile = QStringLiteral("\x01file");

void setCurrentData(QComboBox *combo, const QString &data)
{
	int index = combo->findData(data);
	if (index >= 0)
		combo->setCurrentIndex(index);
}

QString q(const std::string &s)
{
	return QString::fromStdString(s);
}

} // namespace

GenerateDock::GenerateDock(DockServices services, QWidget *parent)
	: QWidget(parent),
	  services_(std::move(services)),
	  ui_(std::make_unique<Ui::GenerateDock>())
{
	ui_->setupUi(this);
	setObjectName("SeedanceGenerateDock");
	jobs_ = new JobList();
	ui_->jobsArea->setWidget(jobs_);
	ui_->jobsArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
	ui_->promptEdit->installEventFilter(this);
	ui_->statusLabel->hide();

	for (const auto &m : core::ModelCatalog::builtin().models())
		ui_->modelCombo->addItem(q(m.name), q(m.id));
	retranslate();
	applyDefaults(services_.settings ? services_.settings() : core::Settings{});
	refreshSources();

	connect(ui_->promptEdit, &QPlainTextEdit::textChanged, this, [this] {
		updateCharCount();
		updateGenerateState();
	});
	connect(ui_->modelCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
		applyModel();
		updateGenerateState();
	});
	for (QComboBox *combo :
	     {ui_->aspectCombo, ui_->resolutionCombo, ui_->firstFrameCombo, ui_->targetCombo, ui_->playbackCombo})
		connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this,
			[this] { updateGenerateState(); });
	connect(ui_->durationSpin, qOverload<int>(&QSpinBox::valueChanged), this, [this] { updateGenerateState(); });
	connect(ui_->audioCheck, &QCheckBox::toggled, this, [this] { updateGenerateState(); });
	connect(ui_->lastFrameCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
		if (!refreshing_ && ui_->lastFrameCombo->currentData().toString() == kFile) {
			QString file = QFileDialog::getOpenFileName(this, qtext("Dock.LastFrameFile"), QDir::homePath(),
								    qtext("Dock.ImageFilter"));
			if (!file.isEmpty())
				lastFile_ = file;
			refreshSources();
		}
		updateGenerateState();
	});
	connect(ui_->optionsToggle, &QToolButton::toggled, this, [this](bool open) {
		ui_->optionsPanel->setVisible(open);
		ui_->optionsToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
	});
	ui_->optionsPanel->setVisible(false);
	connect(ui_->generateButton, &QPushButton::clicked, this, [this] { generate(); });
	connect(ui_->settingsButton, &QToolButton::clicked, this, [this] {
		if (services_.openSettings)
			services_.openSettings();
	});
	connect(jobs_, &JobList::actionRequested, this, &GenerateDock::onJobAction);

	if (services_.obs)
		services_.obs->onChanged = [this] {
			refreshSources();
		};

	if (services_.runner) {
		relay_ = std::make_shared<Relay>();
		relay_->dock = this;
		listener_ = services_.runner->subscribe([relay = relay_](const core::Job &job) {
			std::lock_guard<std::mutex> lock(relay->mutex);
			if (relay->dock)
				QMetaObject::invokeMethod(
					relay->dock, [dock = relay->dock, job] { dock->jobList()->upsert(job); },
					Qt::QueuedConnection);
		});
		for (const auto &job : services_.runner->jobs())
			jobs_->upsert(job);
		jobs_->flush();
		// This session's jobs are not saved (journal folder not writable, or every journal slot held by other
		// OBS instances): said before the streamer generates; each job also carries it as a notice.
		if (!services_.runner->durable())
			if (core::Error why = services_.runner->journalError())
				showStatus(q(core::userMessage(why)), true);
	}
	updateCharCount();
	updateGenerateState();
}

GenerateDock::~GenerateDock()
{
	detach();
}

void GenerateDock::detach()
{
	if (relay_) {
		std::lock_guard<std::mutex> lock(relay_->mutex);
		relay_->dock = nullptr;
	}
	if (services_.runner && listener_) {
		services_.runner->unsubscribe(listener_);
		listener_ = 0;
	}
	if (services_.obs)
		services_.obs->onChanged = nullptr;
	// The plugin's services stop at OBS_FRONTEND_EVENT_EXIT, but OBS 30+ deletes its docks only later, with the
	// main window: from here on the dock reaches none of them (its destructor calls this again).
	services_ = DockServices{};
	updateGenerateState();
}

void GenerateDock::retranslate()
{
	ui_->promptEdit->setPlaceholderText(qtext("Dock.PromptPlaceholder"));
	ui_->promptEdit->setAccessibleName(qtext("Dock.Prompt"));
	ui_->recentButton->setText(qtext("Dock.Recent"));
	ui_->optionsToggle->setText(qtext("Dock.Options"));
	ui_->firstFrameLabel->setText(qtext("Dock.FirstFrame"));
	ui_->lastFrameLabel->setText(qtext("Dock.LastFrame"));
	ui_->modelLabel->setText(qtext("Dock.Model"));
	ui_->durationLabel->setText(qtext("Dock.Duration"));
	ui_->durationSpin->setSuffix(qtext("Dock.Seconds"));
	ui_->aspectLabel->setText(qtext("Dock.AspectRatio"));
	ui_->resolutionLabel->setText(qtext("Dock.Resolution"));
	ui_->audioCheck->setText(qtext("Dock.Audio"));
	ui_->targetLabel->setText(qtext("Dock.Target"));
	ui_->playbackLabel->setText(qtext("Dock.Playback"));
	ui_->generateButton->setText(qtext("Dock.Generate"));
	ui_->settingsButton->setToolTip(qtext("Dock.Settings"));
	ui_->settingsButton->setAccessibleName(qtext("Dock.Settings"));
	ui_->jobsLabel->setText(qtext("Dock.Jobs"));
	ui_->playbackCombo->clear();
	ui_->playbackCombo->addItem(qtext("Playback.Once"), "once");
	ui_->playbackCombo->addItem(qtext("Playback.Hold"), "hold");
	ui_->playbackCombo->addItem(qtext("Playback.Loop"), "loop");
}

void GenerateDock::applyDefaults(const core::Settings &s)
{
	setCurrentData(ui_->modelCombo, q(s.model));
	applyModel();
	ui_->durationSpin->setValue(s.duration);
	setCurrentData(ui_->aspectCombo, q(s.aspectRatio));
	setCurrentData(ui_->resolutionCombo, q(s.resolution));
	ui_->audioCheck->setChecked(s.audio);
	setCurrentData(ui_->playbackCombo, q(s.playback));
	updateRecentMenu();
}

void GenerateDock::reloadSettings()
{
	updateRecentMenu();
	updateGenerateState();
}

void GenerateDock::applyModel()
{
	const core::ModelSpec *spec =
		core::ModelCatalog::builtin().find(ui_->modelCombo->currentData().toString().toStdString());
	if (!spec)
		return;
	QString ratio = ui_->aspectCombo->currentData().toString();
	QString resolution = ui_->resolutionCombo->currentData().toString();

	ui_->durationSpin->setRange(spec->duration.min, spec->duration.max);
	ui_->aspectCombo->clear();
	QString canvas = qtext("Dock.Canvas");
	if (services_.obs) {
		auto [w, h] = services_.obs->canvasSize();
		canvas = canvas.arg(q(core::nearestAspectRatio(w, h, spec->aspectRatios)));
	} else {
		canvas = canvas.arg("?");
	}
	ui_->aspectCombo->addItem(canvas, QString(core::kCanvasRatio));
	for (const auto &r : spec->aspectRatios)
		ui_->aspectCombo->addItem(r == "adaptive" ? qtext("Dock.Adaptive") : q(r), q(r));
	ui_->resolutionCombo->clear();
	for (const auto &r : spec->resolutions)
		ui_->resolutionCombo->addItem(q(r), q(r));
	setCurrentData(ui_->aspectCombo, ratio.isEmpty() ? QString(core::kCanvasRatio) : ratio);
	setCurrentData(ui_->resolutionCombo, resolution.isEmpty() ? q(spec->defaultResolution) : resolution);
	if (ui_->resolutionCombo->currentIndex() < 0)
		setCurrentData(ui_->resolutionCombo, q(spec->defaultResolution));
	ui_->audioCheck->setEnabled(spec->supports("audio"));
	if (!spec->supports("audio"))
		ui_->audioCheck->setChecked(false);
	ui_->lastFrameCombo->setEnabled(spec->lastFrame);
	if (!spec->lastFrame)
		setCurrentData(ui_->lastFrameCombo, kNone);
}

void GenerateDock::refreshSources()
{
	refreshing_ = true;
	QString first = ui_->firstFrameCombo->currentData().toString();
	QString last = ui_->lastFrameCombo->currentData().toString();
	QString target = ui_->targetCombo->currentData().toString();
	core::Settings s = services_.settings ? services_.settings() : core::Settings{};
	if (ui_->firstFrameCombo->count() == 0)
		first = q(s.firstFrameSource);
	if (ui_->targetCombo->count() == 0)
		target = q(s.target);

	std::vector<std::string> scenes, sources, slots;
	bool studio = false;
	if (services_.obs) {
		scenes = services_.obs->sceneNames();
		sources = services_.obs->videoSourceNames();
		slots = services_.obs->slotNames();
		studio = services_.obs->studioMode();
	}

	ui_->firstFrameCombo->clear();
	ui_->firstFrameCombo->addItem(qtext("Dock.ProgramOutput"), QString());
	if (studio)
		ui_->firstFrameCombo->addItem(qtext("Dock.Preview"), kPreview);
	ui_->lastFrameCombo->clear();
	ui_->lastFrameCombo->addItem(qtext("Dock.NoLastFrame"), kNone);
	for (const auto &name : scenes) {
		ui_->firstFrameCombo->addItem(qtext("Dock.SceneItem").arg(q(name)), q(name));
		ui_->lastFrameCombo->addItem(qtext("Dock.SceneItem").arg(q(name)), q(name));
	}
	for (const auto &name : sources) {
		ui_->firstFrameCombo->addItem(q(name), q(name));
		ui_->lastFrameCombo->addItem(q(name), q(name));
	}
	if (!lastFile_.isEmpty())
		ui_->lastFrameCombo->addItem(qtext("Dock.FileItem").arg(QFileInfo(lastFile_).fileName()),
					     "file:" + lastFile_);
	ui_->lastFrameCombo->addItem(qtext("Dock.ChooseFile"), kFile);

	ui_->targetCombo->clear();
	ui_->targetCombo->addItem(qtext("Dock.CurrentScene"), "current");
	for (const auto &name : scenes)
		ui_->targetCombo->addItem(qtext("Dock.SceneItem").arg(q(name)), "scene:" + q(name));
	for (const auto &name : slots)
		ui_->targetCombo->addItem(qtext("Dock.SlotItem").arg(q(name)), "slot:" + q(name));
	ui_->targetCombo->addItem(qtext("Dock.LibraryOnly"), "library");

	setCurrentData(ui_->firstFrameCombo, first);
	if (last == kFile && !lastFile_.isEmpty())
		last = "file:" + lastFile_;
	setCurrentData(ui_->lastFrameCombo, last.isEmpty() || last == kFile ? kNone : last);
	setCurrentData(ui_->targetCombo, target);
	if (ui_->targetCombo->currentIndex() < 0)
		ui_->targetCombo->setCurrentIndex(0);
	applyModel(); // the canvas ratio may have changed
	refreshing_ = false;
	updateGenerateState();
}

std::string GenerateDock::resolveFirstFrame() const
{
	QString data = ui_->firstFrameCombo->currentData().toString();
	if (data == kPreview)
		return services_.obs ? services_.obs->previewSceneName() : std::string();
	return data.toStdString();
}

core::Result<core::JobSpec> GenerateDock::currentSpec() const
{
	core::Settings s = services_.settings ? services_.settings() : core::Settings{};
	return core::buildJobSpec(core::specDefaults(s), currentChoices());
}

core::SpecChoices GenerateDock::currentChoices() const
{
	core::SpecChoices c; // every control is a choice
	c.model = ui_->modelCombo->currentData().toString().toStdString();
	c.prompt = ui_->promptEdit->toPlainText().trimmed().toStdString();
	c.duration = ui_->durationSpin->value();
	c.aspectRatio = ui_->aspectCombo->currentData().toString().toStdString();
	c.resolution = ui_->resolutionCombo->currentData().toString().toStdString();
	if (ui_->audioCheck->isEnabled())
		c.audio = ui_->audioCheck->isChecked();
	c.firstFrame.source = resolveFirstFrame();
	QString last = ui_->lastFrameCombo->currentData().toString();
	if (ui_->lastFrameCombo->isEnabled() && !last.isEmpty() && last != kNone && last != kFile) {
		core::FrameChoice choice;
		if (last.startsWith("file:"))
			choice.file = last.mid(5).toStdString();
		else
			choice.source = last.toStdString();
		c.lastFrame = choice;
	}
	QString target = ui_->targetCombo->currentData().toString();
	if (target == "library") {
		c.target.kind = core::JobTarget::Kind::Library;
	} else if (target.startsWith("slot:")) {
		c.target.kind = core::JobTarget::Kind::Slot;
		c.target.name = target.mid(5).toStdString();
	} else if (target.startsWith("scene:")) {
		c.target.name = target.mid(6).toStdString();
	} else if (services_.obs) {
		// "Current scene" means the program scene at the moment of the request, not when the clip is ready.
		c.target.name = services_.obs->currentSceneName();
	}
	c.playback = ui_->playbackCombo->currentData().toString().toStdString();
	return c;
}

QString GenerateDock::blockedReason() const
{
	if (!services_.runner)
		return qtext("Error.NotRunning");
	core::Settings s = services_.settings ? services_.settings() : core::Settings{};
	if (s.apiKey.empty())
		return qtext("Dock.Blocked.NoKey");
	if (currentChoices().prompt.empty())
		return qtext("Dock.Blocked.NoPrompt");
	auto spec = core::buildJobSpec(core::specDefaults(s), currentChoices());
	if (!spec)
		return q(core::userMessage(spec.error()));
	return {};
}

void GenerateDock::updateSummary()
{
	// One line with the choices, so the options can stay folded in a small dock.
	QStringList parts;
	parts << ui_->aspectCombo->currentText() << ui_->resolutionCombo->currentText()
	      << QString::number(ui_->durationSpin->value()) + ui_->durationSpin->suffix();
	if (ui_->audioCheck->isEnabled() && ui_->audioCheck->isChecked())
		parts << qtext("Dock.SummaryAudio");
	parts << "→ " + ui_->targetCombo->currentText();
	QString summary = parts.join(QStringLiteral(" · "));
	ui_->summaryLabel->setToolTip(summary);
	ui_->summaryLabel->setText(ui_->summaryLabel->fontMetrics().elidedText(
		summary, Qt::ElideRight, std::max(60, ui_->summaryLabel->width())));
}

void GenerateDock::resizeEvent(QResizeEvent *event)
{
	QWidget::resizeEvent(event);
	updateSummary();
}

void GenerateDock::updateGenerateState()
{
	updateSummary();
	QString reason = blockedReason();
	ui_->generateButton->setEnabled(reason.isEmpty());
	ui_->generateButton->setToolTip(reason.isEmpty() ? qtext("Dock.GenerateTip") : reason);
}

void GenerateDock::updateCharCount()
{
	size_t chars = core::utf8Length(ui_->promptEdit->toPlainText().toStdString());
	ui_->charCountLabel->setText(QString("%1 / %2").arg(chars).arg(core::kMaxPromptChars));
}

void GenerateDock::updateRecentMenu()
{
	auto *menu = new QMenu(ui_->recentButton);
	core::Settings s = services_.settings ? services_.settings() : core::Settings{};
	for (const auto &prompt : s.recentPrompts) {
		QString text = q(prompt);
		QAction *a = menu->addAction(fontMetrics().elidedText(text.simplified(), Qt::ElideRight, 300));
		a->setToolTip(text);
		connect(a, &QAction::triggered, this, [this, text] { ui_->promptEdit->setPlainText(text); });
	}
	ui_->recentButton->setEnabled(!s.recentPrompts.empty());
	delete ui_->recentButton->menu();
	ui_->recentButton->setMenu(menu);
}

QString GenerateDock::generate()
{
	QString reason = blockedReason();
	if (!reason.isEmpty()) {
		showStatus(reason, true);
		return {};
	}
	auto built = currentSpec();
	if (!built) {
		showStatus(q(core::userMessage(built.error())), true);
		return {};
	}
	const core::JobSpec &spec = *built;
	auto id = services_.runner->submit(spec);
	if (!id) {
		showStatus(q(core::userMessage(id.error())), true);
		return {};
	}
	showStatus(qtext("Dock.Started"), false);
	if (services_.settings && services_.saveSettings) {
		core::Settings s = services_.settings();
		core::rememberPrompt(s, spec.request.prompt);
		s.model = spec.request.model;
		s.duration = spec.request.duration.value_or(s.duration);
		s.aspectRatio = spec.request.aspectRatio.value_or(s.aspectRatio);
		s.resolution = spec.request.resolution.value_or(s.resolution);
		s.audio = spec.request.audio.value_or(false);
		s.playback = core::playbackName(spec.playback);
		s.target = ui_->targetCombo->currentData().toString().toStdString();
		s.firstFrameSource = ui_->firstFrameCombo->currentData().toString() == kPreview
					     ? std::string()
					     : ui_->firstFrameCombo->currentData().toString().toStdString();
		services_.saveSettings(s);
		updateRecentMenu();
	}
	return q(*id);
}

void GenerateDock::showStatus(const QString &text, bool error)
{
	ui_->statusLabel->setText(text);
	ui_->statusLabel->setProperty("themeID", error ? "error" : "");
	ui_->statusLabel->setProperty("class", error ? "text-danger" : "");
	ui_->statusLabel->style()->unpolish(ui_->statusLabel);
	ui_->statusLabel->style()->polish(ui_->statusLabel);
	ui_->statusLabel->setVisible(!text.isEmpty());
}

void GenerateDock::onJobAction(const QString &qid, JobAction action)
{
	if (!services_.runner)
		return;
	std::string id = qid.toStdString();
	auto job = services_.runner->job(id);
	if (!job)
		return;
	core::Error error;
	switch (action) {
	case JobAction::Cancel:
		if (core::mayBeBilled(job->state) &&
		    QMessageBox::question(this, qtext("Job.CancelTitle"), qtext("Job.CancelBilled")) !=
			    QMessageBox::Yes)
			return;
		error = services_.runner->cancel(id);
		break;
	case JobAction::Retry:
		if (job->outcomeUnknown &&
		    QMessageBox::question(this, qtext("Job.RetryTitle"), qtext("Job.RetryUnknown")) != QMessageBox::Yes)
			return;
		error = services_.runner->retry(id);
		break;
	case JobAction::AddToScene: {
		core::SpecChoices spec = currentChoices();
		core::JobTarget target = spec.target;
		if (target.kind == core::JobTarget::Kind::Library) {
			target.kind = core::JobTarget::Kind::Scene;
			target.name = services_.obs ? services_.obs->currentSceneName() : std::string();
		}
		error = services_.runner->addToScene(
			id, target,
			core::playbackFromName(spec.playback.value_or("once")).value_or(core::Playback::Once));
		break;
	}
	case JobAction::ShowInFolder:
		if (services_.showInFolder)
			services_.showInFolder(job->clipPath);
		else
			QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(q(job->clipPath)).absolutePath()));
		break;
	case JobAction::CopyPrompt:
		QGuiApplication::clipboard()->setText(q(job->request.prompt));
		break;
	case JobAction::Remove:
		error = services_.runner->remove(id);
		if (!error)
			jobs_->removeJob(id);
		break;
	}
	if (error)
		showStatus(q(core::userMessage(error)), true);
}

bool GenerateDock::eventFilter(QObject *watched, QEvent *event)
{
	if (watched == ui_->promptEdit && event->type() == QEvent::KeyPress) {
		auto *key = static_cast<QKeyEvent *>(event);
		if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
		    (key->modifiers() & Qt::ControlModifier)) {
			generate();
			return true;
		}
	}
	return QWidget::eventFilter(watched, event);
}

} // namespace seedance::ui
