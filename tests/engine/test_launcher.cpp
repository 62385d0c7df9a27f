/// WorkerProcesses and `medulla launch` with real processes (/bin/sh
/// workers): the torchrun environment of every rank, failure propagation
/// (a failed worker stops its peers, its exit code or signal is the result),
/// log files, cancellation, start errors, and the command-line tool end to
/// end, including SIGTERM forwarding.

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "engine/core/Error.h"
#include "engine/distributed/Launcher.h"
#include "engine/distributed/WorkerProcesses.h"

using namespace medulla;

namespace {

const std::string kSh = "/bin/sh";

/// A worker that writes its torchrun variables as KEY=value lines to
/// DIR/env<RANK> (DIR is the script's $1).
const std::string kEnvScript =
    "for k in RANK LOCAL_RANK WORLD_SIZE LOCAL_WORLD_SIZE GROUP_RANK NODE_RANK MASTER_ADDR "
    "MASTER_PORT MEDULLA_THREADS OMP_NUM_THREADS; do eval \"echo $k=\\$$k\"; done "
    "> \"$1/env$RANK.tmp\" && mv \"$1/env$RANK.tmp\" \"$1/env$RANK\"";

std::string readAll(const std::string& file) {
    std::ifstream f(file);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::map<std::string, std::string> readEnv(const std::string& file) {
    std::map<std::string, std::string> out;
    std::ifstream f(file);
    for (std::string line; std::getline(f, line);) {
        const auto eq = line.find('=');
        if (eq != std::string::npos)
            out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

/// True while `pid` exists and is not a zombie.
bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0)
        return false;
    const std::string stat = readAll("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

/// Waits (hang guard: 20 s) until `file` exists; false if it never does.
bool waitForFile(const std::string& file) {
    QElapsedTimer t;
    t.start();
    while (!QFileInfo::exists(QString::fromStdString(file))) {
        if (t.elapsed() > 20000)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

pid_t readPid(const std::string& file) {
    return pid_t(std::atol(readAll(file).c_str()));
}

std::vector<std::string> shWorker(const std::string& script, const std::string& dir) {
    return {kSh, "-c", script, "sh", dir};
}

} // namespace

class TestLauncher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    /// One node of three workers: RANK = LOCAL_RANK, WORLD_SIZE 3, the
    /// picked master port; MEDULLA_THREADS is inherited, the unset
    /// OMP_NUM_THREADS becomes max(1, cores / 3).
    void everyRankSeesItsEnvironment() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        qputenv("MEDULLA_THREADS", "7");
        qunsetenv("OMP_NUM_THREADS");
        WorkerProcesses w(
            shWorker(kEnvScript, d),
            LaunchOptions().nproc_per_node(3).master_port(0).master_addr("127.0.0.1"));
        const int port = w.masterPort();
        QVERIFY(port >= 1 && port <= 65535);
        QCOMPARE(w.ranks(), std::vector<int>({0, 1, 2}));
        QCOMPARE(w.wait(), 0);
        QVERIFY(!w.running());
        const std::string threads = std::to_string(std::max(1, usableCores() / 3));
        for (int r = 0; r < 3; ++r) {
            auto env = readEnv(d + "/env" + std::to_string(r));
            QCOMPARE(env["RANK"], std::to_string(r));
            QCOMPARE(env["LOCAL_RANK"], std::to_string(r));
            QCOMPARE(env["WORLD_SIZE"], std::string("3"));
            QCOMPARE(env["LOCAL_WORLD_SIZE"], std::string("3"));
            QCOMPARE(env["GROUP_RANK"], std::string("0"));
            QCOMPARE(env["NODE_RANK"], std::string("0"));
            QCOMPARE(env["MASTER_ADDR"], std::string("127.0.0.1"));
            QCOMPARE(env["MASTER_PORT"], std::to_string(port));
            QCOMPARE(env["MEDULLA_THREADS"], std::string("7"));
            QCOMPARE(env["OMP_NUM_THREADS"], threads);
            QCOMPARE(w.exitOf(r)->status(), 0);
        }
        qputenv("MEDULLA_THREADS", "2");
    }

    /// Node 1 of 2 nodes with 2 workers each runs global ranks 2 and 3 of 4;
    /// threads_per_worker overrides both thread variables.
    void secondNodeRunsRanksTwoAndThree() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        WorkerProcesses w(shWorker(kEnvScript, d), LaunchOptions()
                                                       .nproc_per_node(2)
                                                       .nnodes(2)
                                                       .node_rank(1)
                                                       .master_addr("10.1.2.3")
                                                       .master_port(29555)
                                                       .threads_per_worker(3));
        QCOMPARE(w.ranks(), std::vector<int>({2, 3}));
        QCOMPARE(w.wait(), 0);
        QVERIFY(!QFileInfo::exists(dir.filePath("env0")));
        QVERIFY(!QFileInfo::exists(dir.filePath("env1")));
        for (int local = 0; local < 2; ++local) {
            auto env = readEnv(d + "/env" + std::to_string(2 + local));
            QCOMPARE(env["RANK"], std::to_string(2 + local));
            QCOMPARE(env["LOCAL_RANK"], std::to_string(local));
            QCOMPARE(env["WORLD_SIZE"], std::string("4"));
            QCOMPARE(env["LOCAL_WORLD_SIZE"], std::string("2"));
            QCOMPARE(env["GROUP_RANK"], std::string("1"));
            QCOMPARE(env["NODE_RANK"], std::string("1"));
            QCOMPARE(env["MASTER_ADDR"], std::string("10.1.2.3"));
            QCOMPARE(env["MASTER_PORT"], std::string("29555"));
            QCOMPARE(env["MEDULLA_THREADS"], std::string("3"));
            QCOMPARE(env["OMP_NUM_THREADS"], std::string("3"));
        }
    }

    /// The studio's case: local ranks 1..N-1 only (rank 0 is in-process).
    void selectedLocalRanksOnly() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        WorkerProcesses w(shWorker(kEnvScript, d), LaunchOptions().nproc_per_node(3), {1, 2});
        QCOMPARE(w.ranks(), std::vector<int>({1, 2}));
        QCOMPARE(w.wait(), 0);
        QVERIFY(!QFileInfo::exists(dir.filePath("env0")));
        QCOMPARE(readEnv(d + "/env2")["LOCAL_RANK"], std::string("2"));
        QCOMPARE(readEnv(d + "/env2")["WORLD_SIZE"], std::string("3"));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError,
            WorkerProcesses(shWorker("true", d), LaunchOptions().nproc_per_node(2), {1, 2}));
        QVERIFY_THROWS_EXCEPTION(
            ConfigError,
            WorkerProcesses(shWorker("true", d), LaunchOptions().nproc_per_node(2), {1, 1}));
    }

    /// Rank 1 exits 3 while rank 0 sleeps 60 s (in a child of its shell):
    /// wait() returns 3, and rank 0, its shell's child included, was
    /// terminated by SIGTERM rather than left running.
    void failedWorkerStopsItsPeer() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        const std::string script = "if [ \"$RANK\" = 1 ]; then exit 3; fi; "
                                   "sleep 60 & echo $! > \"$1/sleep.tmp\"; "
                                   "mv \"$1/sleep.tmp\" \"$1/sleep\"; wait";
        QElapsedTimer t;
        t.start();
        WorkerProcesses w(shWorker(script, d), LaunchOptions().nproc_per_node(2).grace_s(2));
        const pid_t peer = w.pid(0);
        QVERIFY(waitForFile(d + "/sleep"));
        const pid_t sleeper = readPid(d + "/sleep");
        QVERIFY(sleeper > 0);
        QCOMPARE(w.wait(), 3);
        QVERIFY(t.elapsed() < 30000); // hang guard only: the peer did not run its 60 s
        QVERIFY(!w.running());
        const auto failure = w.poll();
        QVERIFY(failure.has_value());
        QCOMPARE(failure->rank, 1);
        QCOMPARE(failure->exitCode, 3);
        QCOMPARE(failure->signal, 0);
        QCOMPARE(failure->description,
                 "rank 1 (pid " + std::to_string(w.pid(1)) + ") exited with code 3");
        QCOMPARE(w.exitOf(0)->signal, int(SIGTERM));
        QCOMPARE(w.exitOf(0)->status(), 128 + SIGTERM);
        QVERIFY(!alive(peer));
        // The peer's own child got SIGTERM through the process group.
        QElapsedTimer g;
        g.start();
        while (alive(sleeper) && g.elapsed() < 20000)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        QVERIFY(!alive(sleeper));
    }

    /// A worker killed by SIGKILL is reported with the signal; wait() returns
    /// 128 + 9.
    void killedWorkerReportsItsSignal() {
        QTemporaryDir dir;
        const std::string script = "if [ \"$RANK\" = 1 ]; then kill -9 $$; fi; exec sleep 60";
        WorkerProcesses w(shWorker(script, dir.path().toStdString()),
                          LaunchOptions().nproc_per_node(2).grace_s(1));
        const pid_t victim = w.pid(1);
        QCOMPARE(w.wait(), 128 + 9);
        const auto failure = w.poll();
        QVERIFY(failure.has_value());
        QCOMPARE(failure->rank, 1);
        QCOMPARE(failure->signal, 9);
        QCOMPARE(failure->exitCode, 0);
        QCOMPARE(failure->description,
                 "rank 1 (pid " + std::to_string(victim) + ") was killed by signal 9 (Killed)");
        QCOMPARE(w.exitOf(0)->signal, int(SIGTERM));
    }

    /// log_dir: rank R's stdout and stderr land in log_dir/rank<R>.log only.
    void logDirGetsEachRanksOutput() {
        QTemporaryDir dir;
        const std::string logs = dir.path().toStdString() + "/logs/run1";
        const std::string script = "echo \"out of $RANK\"; echo \"err of $RANK\" >&2";
        WorkerProcesses w(shWorker(script, dir.path().toStdString()),
                          LaunchOptions().nproc_per_node(2).log_dir(logs));
        QCOMPARE(w.wait(), 0);
        QCOMPARE(readAll(logs + "/rank0.log"), std::string("out of 0\nerr of 0\n"));
        QCOMPARE(readAll(logs + "/rank1.log"), std::string("out of 1\nerr of 1\n"));
    }

    /// A cancel request terminates every worker; wait() returns 130 and
    /// nothing is reported as a failure.
    void cancelTerminatesAll() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        const std::string script = "touch \"$1/up$RANK\"; exec sleep 60";
        WorkerProcesses w(shWorker(script, d), LaunchOptions().nproc_per_node(2).grace_s(2));
        QVERIFY(waitForFile(d + "/up0") && waitForFile(d + "/up1"));
        CancelToken cancel;
        std::thread canceller([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            cancel.cancel();
        });
        const int status = w.wait(&cancel);
        canceller.join();
        QCOMPARE(status, 130);
        QVERIFY(!w.running());
        QVERIFY(!w.poll().has_value());
        for (int r = 0; r < 2; ++r) {
            QCOMPARE(w.exitOf(r)->signal, int(SIGTERM));
            QVERIFY(!alive(w.pid(r)));
        }
    }

    /// A worker that ignores SIGTERM gets SIGKILL after grace_s; the
    /// destructor reaps everything (no process left, no zombie).
    void terminateEscalatesAndDestructorReaps() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        const std::string script = "trap '' TERM; touch \"$1/up$RANK\"; "
                                   "while :; do sleep 0.05; done";
        std::vector<pid_t> pids;
        {
            WorkerProcesses w(shWorker(script, d), LaunchOptions().nproc_per_node(2).grace_s(0.3));
            QVERIFY(waitForFile(d + "/up0") && waitForFile(d + "/up1"));
            pids = {w.pid(0), w.pid(1)};
            w.terminate();
            QVERIFY(!w.running());
            QCOMPARE(w.exitOf(0)->signal, int(SIGKILL));
            QCOMPARE(w.exitOf(1)->signal, int(SIGKILL));
        }
        {
            WorkerProcesses w(shWorker("exec sleep 60", d), LaunchOptions().nproc_per_node(2));
            pids.push_back(w.pid(0));
            pids.push_back(w.pid(1));
        } // destructor
        for (pid_t p : pids) {
            errno = 0;
            QCOMPARE(::kill(p, 0), -1); // reaped: not even a zombie is left
            QCOMPARE(errno, ESRCH);
        }
    }

    /// Programs that cannot be started throw an Error naming them.
    void missingExecutableThrows() {
        QTemporaryDir dir;
        const std::string missing = dir.path().toStdString() + "/no-such-worker";
        const auto messageOf = [](const std::vector<std::string>& argv) -> std::string {
            try {
                WorkerProcesses w(argv, LaunchOptions().nproc_per_node(2));
            } catch (const Error& e) {
                return e.what();
            }
            return "no error";
        };
        std::string m = messageOf({missing});
        QVERIFY2(m.find(missing) == 0 && m.find("No such file") != std::string::npos, m.c_str());
        m = messageOf({"medulla-no-such-program-in-path"});
        QVERIFY2(m.find("medulla-no-such-program-in-path: ") == 0 &&
                     m.find("PATH") != std::string::npos,
                 m.c_str());
        const std::string plain = dir.path().toStdString() + "/not-executable";
        std::ofstream(plain) << "#!/bin/sh\nexit 0\n";
        m = messageOf({plain});
        QVERIFY2(m.find(plain + ": ") == 0 && m.find("executable") != std::string::npos, m.c_str());
        // Executable but not a program: execve fails in the child; the
        // error comes back through the pipe.
        const std::string garbage = dir.path().toStdString() + "/garbage";
        std::ofstream(garbage) << "\x7f"
                                  "ELF garbage";
        ::chmod(garbage.c_str(), 0755);
        m = messageOf({garbage});
        QVERIFY2(m.find(garbage + ": cannot start workers: ") == 0, m.c_str());
    }

    void invalidOptionsNameTheFlag_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("flag");
        QTest::newRow("nproc 0") << 0 << "--nproc-per-node";
        QTest::newRow("nnodes 0") << 1 << "--nnodes";
        QTest::newRow("node_rank = nnodes") << 2 << "--node-rank";
        QTest::newRow("node_rank < 0") << 3 << "--node-rank";
        QTest::newRow("port 65536") << 4 << "--master-port";
        QTest::newRow("port 0 with 2 nodes") << 5 << "--master-port";
        QTest::newRow("grace < 0") << 6 << "--grace";
    }
    void invalidOptionsNameTheFlag() {
        QFETCH(int, row);
        QFETCH(QString, flag);
        const LaunchOptions rows[] = {
            LaunchOptions().nproc_per_node(0),
            LaunchOptions().nnodes(0),
            LaunchOptions().nnodes(2).node_rank(2),
            LaunchOptions().node_rank(-1),
            LaunchOptions().master_port(65536),
            LaunchOptions().nnodes(2).master_port(0),
            LaunchOptions().grace_s(-1),
        };
        std::ostringstream log;
        try {
            launch({kSh, "-c", "true"}, rows[row], log);
            QFAIL("no ConfigError");
        } catch (const ConfigError& e) {
            QCOMPARE(QString::fromStdString(e.field()), flag);
        }
        QVERIFY_THROWS_EXCEPTION(ConfigError, launch({}, LaunchOptions(), log));
    }

    /// A path runs as given; a subcommand runs this program.
    void workerCommandRunsThisProgram() {
        QCOMPARE(workerCommand({"/bin/sh", "-c", "true"}),
                 std::vector<std::string>({"/bin/sh", "-c", "true"}));
        const auto argv = workerCommand({"train", "exp.json"});
        QCOMPARE(argv.size(), size_t(3));
        QCOMPARE(QString::fromStdString(argv[0]),
                 QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath());
        QCOMPARE(argv[1], std::string("train"));
        QCOMPARE(argv[2], std::string("exp.json"));
    }

    /// `medulla launch` end to end: two workers with the right ranks; a
    /// failing worker's exit code and a line naming its rank; a failing
    /// medulla subcommand (this program's path); a bad flag.
    void cliLaunchEndToEnd() {
        QVERIFY2(QFileInfo(MEDULLA_CLI_PATH).isExecutable(), MEDULLA_CLI_PATH " is not built");
        QTemporaryDir dir;
        const QString d = dir.path();
        QProcess p;
        p.start(MEDULLA_CLI_PATH,
                {"launch", "--nproc-per-node", "2", "--master-port", "0", "--", "/bin/sh", "-c",
                 "echo $RANK $LOCAL_RANK $WORLD_SIZE > \"$1/r$RANK\"", "sh", d});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(readAll((d + "/r0").toStdString()), std::string("0 0 2\n"));
        QCOMPARE(readAll((d + "/r1").toStdString()), std::string("1 1 2\n"));
        QVERIFY(p.readAllStandardError().contains("2 worker(s), ranks 0..1 of 2"));

        p.start(MEDULLA_CLI_PATH, {"launch", "--nproc_per_node=2", "--grace", "2", "--", "/bin/sh",
                                   "-c", "if [ \"$RANK\" = 1 ]; then exit 5; fi; exec sleep 60"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 5);
        QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(QRegularExpression("medulla launch: rank 1 \\(pid [0-9]+\\) exited with code 5; "
                                    "stopped the other workers")
                     .match(err)
                     .hasMatch(),
                 qPrintable(err));

        p.start(MEDULLA_CLI_PATH, {"launch", "--", "info", d + "/missing.nii.gz"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("missing.nii.gz") &&
                     QRegularExpression("rank 0 \\(pid [0-9]+\\) exited with code 1")
                         .match(err)
                         .hasMatch(),
                 qPrintable(err));

        p.start(MEDULLA_CLI_PATH,
                {"launch", "--nnodes", "2", "--node-rank", "2", "--", "train", "x.json"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("error: --node-rank: must be in [0, 2)"), qPrintable(err));
    }

    /// SIGTERM to `medulla launch` stops the workers (exit 130); a second
    /// signal kills workers that ignore SIGTERM at once, not after --grace.
    void cliForwardsSignals() {
        QVERIFY2(QFileInfo(MEDULLA_CLI_PATH).isExecutable(), MEDULLA_CLI_PATH " is not built");
        QTemporaryDir dir;
        const QString d = dir.path();
        for (const bool stubborn : {false, true}) {
            const QString script = QString(stubborn ? "trap '' TERM; " : "") +
                                   "echo $$ > \"$1/pid$RANK.tmp\"; mv \"$1/pid$RANK.tmp\" "
                                   "\"$1/pid$RANK\"; while :; do sleep 0.05; done";
            QFile::remove(d + "/pid0");
            QFile::remove(d + "/pid1");
            QProcess p;
            QElapsedTimer t;
            t.start();
            p.start(MEDULLA_CLI_PATH, {"launch", "--nproc-per-node", "2", "--grace", "60", "--",
                                       "/bin/sh", "-c", script, "sh", d});
            QVERIFY(waitForFile((d + "/pid0").toStdString()) &&
                    waitForFile((d + "/pid1").toStdString()));
            const pid_t w0 = readPid((d + "/pid0").toStdString());
            const pid_t w1 = readPid((d + "/pid1").toStdString());
            QVERIFY(alive(w0) && alive(w1));
            ::kill(pid_t(p.processId()), SIGTERM);
            if (stubborn) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                QVERIFY(alive(w0) && alive(w1)); // they ignore the first
                ::kill(pid_t(p.processId()), SIGTERM);
            }
            QVERIFY(p.waitForFinished(30000));
            QVERIFY(t.elapsed() < 30000); // hang guard: not the 60 s grace
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 130);
            QVERIFY(!alive(w0) && !alive(w1));
            QVERIFY(p.readAllStandardError().contains("interrupted; stopped all workers"));
        }
    }
};

QTEST_GUILESS_MAIN(TestLauncher)
#include "test_launcher.moc"
