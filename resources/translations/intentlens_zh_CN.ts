<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>CustomersPage</name>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="208" />
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="213" />
        <source>Find a customer by id…</source>
        <translation>按编号查找客户…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="223" />
        <source>Intent from</source>
        <translation>意向从</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="225" />
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="229" />
        <source>Export scores…</source>
        <translation>导出评分…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="231" />
        <source>Every scored customer with score, rank, as-of date and horizon, best first</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="260" />
        <location filename="../../gui/pages/customers_page.py" line="329" />
        <source>Select a customer in the list to see their card.</source>
        <translation>在列表中选择一位客户以查看详情。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="273" />
        <source>Select a customer</source>
        <translation>请选择客户</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="285" />
        <source>What they did</source>
        <translation>客户行为</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="297" />
        <source>What moved the score most</source>
        <translation>影响评分最多的行为</translation>
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="331" />
        <source>No customers yet: import your shop's behavior log on the Data page.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="341" />
        <source> · no intent scores yet: train on the Train page</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="343" />
        <source>{0:,} of {1:,} customers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="356" />
        <location filename="../../gui/pages/customers_page.py" line="363" />
        <source>Export scores</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="356" />
        <source>CSV files (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="365" />
        <source>Saved {0:,} scores to {1}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="393" />
        <source>Loading…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="414" />
        <source>Customer {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="416" />
        <source>Segment: {0}. </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="418" />
        <source>{0:,} events, {1:,} purchases, revenue {2:,.2f}. First seen {3}, last seen {4}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="443" />
        <source>Train a purchase-intent model to see reasons.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/customers_page.py" line="445" />
        <source>No single event moved the score noticeably.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <location filename="../../gui/pages/data_page.py" line="82" />
        <source>Your data</source>
        <translation>您的数据</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="86" />
        <source>Import a file…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="95" />
        <source>customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="96" />
        <source>items</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="97" />
        <location filename="../../gui/pages/data_page.py" line="120" />
        <location filename="../../gui/pages/data_page.py" line="122" />
        <source>events</source>
        <translation>行为</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="98" />
        <source>revenue (refunds subtracted)</source>
        <translation>收入（已扣除退款）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="99" />
        <source>time span</source>
        <translation>时间跨度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="105" />
        <source>Data health</source>
        <translation>数据质量</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="116" />
        <source>Events per day</source>
        <translation>每日行为数</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="121" />
        <source>Events by type</source>
        <translation>行为类型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="133" />
        <source>Category</source>
        <translation>类目</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="133" />
        <location filename="../../gui/pages/data_page.py" line="136" />
        <source>Events</source>
        <translation>行为数</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="133" />
        <location filename="../../gui/pages/data_page.py" line="136" />
        <source>Purchases</source>
        <translation>购买</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="133" />
        <location filename="../../gui/pages/data_page.py" line="136" />
        <source>Revenue</source>
        <translation>收入</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="136" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="139" />
        <location filename="../../gui/pages/data_page.py" line="236" />
        <source>Top categories</source>
        <translation>热门类目</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="140" />
        <source>Top items</source>
        <translation>热门商品</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="168" />
        <source>No project is open.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="173" />
        <source>Reading the project…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="181" />
        <source>The project could not be read: </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="191" />
        <source>Your data — {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="196" />
        <source>This project is empty. Import your shop's behavior log (CSV) to begin: File → Import, or drop the file on this window.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="201" />
        <source>1 import.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="201" />
        <source>{0} imports.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="202" />
        <source>Figures cover every imported event.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="238" />
        <source>Top categories — this data has no categories</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="212" />
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data_page.py" line="221" />
        <source>No problems found: no duplicates, no stray dates, no bot-like customers, every purchase has a price.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../gui/import_wizard.py" line="75" />
        <source>Import a behavior log</source>
        <translation>导入行为日志</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="99" />
        <source>Choose a file, or drop it here</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="100" />
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="102" />
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="107" />
        <source>What IntentLens found (change it if it is wrong)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="110" />
        <source>Recognise automatically</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="113" />
        <source>Other CSV (map the columns below)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="120" />
        <source>The first line holds column names</source>
        <translation>第一行是列名</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="123" />
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="125" />
        <source>Text encoding</source>
        <translation>文本编码</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="127" />
        <source>Separator</source>
        <translation>分隔符</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="140" />
        <source>The file</source>
        <translation>文件内容</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="141" />
        <source>As IntentLens reads it</source>
        <translation>IntentLens 的解读</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="151" />
        <source>Columns (* required)</source>
        <translation>列（* 为必填）</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="155" />
        <source>Customer *</source>
        <translation>客户 *</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="155" />
        <source>Time *</source>
        <translation>时间 *</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="156" />
        <source>Event type</source>
        <translation>行为类型</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="156" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="157" />
        <source>Category</source>
        <translation>类目</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="157" />
        <source>Item name</source>
        <translation>商品名称</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="158" />
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="158" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="159" />
        <source>Amount (line total)</source>
        <translation>金额（行合计）</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="159" />
        <source>Session / order</source>
        <translation>会话 / 订单</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="160" />
        <source>Search words</source>
        <translation>搜索词</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="171" />
        <source>Event words (in the first rows)</source>
        <translation>行为词（前几行中）</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="175" />
        <source>In the file</source>
        <translation>文件中</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="175" />
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="175" />
        <source>Means</source>
        <translation>含义</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="189" />
        <source>Replace customer ids by pseudonyms (the key is kept in a file beside the project)</source>
        <translation>用假名替换客户编号（密钥保存在项目旁边的文件中）</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="198" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="200" />
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="221" />
        <source>Choose your shop's behavior log</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="265" />
        <source>A {0}{1} file — {2}. Times: {3}. The first {4:,} rows are shown below.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="269" />
        <source>not found</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="280" />
        <source>— not in this file —</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="304" />
        <source>No event column: every row counts as a “{0}”.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="356" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="386" />
        <source>Importing {0}…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="396" />
        <source>{0:,} lines read · {1:,} imported · {2:,} rejected · {3:,.0f} lines/s</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="409" />
        <source>Cancelling… nothing will be changed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="415" />
        <source>The import was cancelled. The project is exactly as it was before.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="423" />
        <source>Imported before</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="424" />
        <source>Import it again anyway?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="433" />
        <source>The import failed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="434" />
        <source>The import failed and nothing was changed in the project.

{0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="450" />
        <source>Line</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="450" />
        <source>Reason</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="450" />
        <source>Line text</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="458" />
        <source>Save rejected lines as CSV…</source>
        <translation>将未导入的行另存为 CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="462" />
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="472" />
        <source>Imported {0:,} events from {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="479" />
        <source>{0:,} lines read: {1:,} imported, {2:,} rejected{3}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="482" />
        <source>{0:,} customers ({1:,} new), {2:,} items, {3} to {4}, revenue {5:,.2f}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="486" />
        <source>Events: {0}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="487" />
        <source>Took {0:.1f} s.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="503" />
        <source>Save rejected lines</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="503" />
        <source>CSV files (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/import_wizard.py" line="507" />
        <source>Saved {0:,} rejected lines.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="66" />
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="70" />
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="74" />
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="78" />
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="111" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="112" />
        <source>&amp;New project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="115" />
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="118" />
        <source>Open &amp;recent</source>
        <translation>最近的项目(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="120" />
        <source>&amp;Import a file…</source>
        <translation>导入文件(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="123" />
        <source>Export &amp;rejected lines…</source>
        <translation>导出未导入的行(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="125" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="136" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="137" />
        <source>&amp;About IntentLens</source>
        <translation>关于 IntentLens(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="147" />
        <source>(none yet)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="152" />
        <source>About IntentLens</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="154" />
        <source>IntentLens learns from your shop's behavior log which customers are about to buy, what kinds of customers you have and what to offer them. Everything runs on this computer: your data never leaves it.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="172" />
        <location filename="../../gui/main_window.py" line="202" />
        <source>Wait until the running training or import ends (or stop it) first.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="178" />
        <source>Cannot open the project</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="201" />
        <location filename="../../gui/main_window.py" line="206" />
        <location filename="../../gui/main_window.py" line="214" />
        <source>New project</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="215" />
        <source>“{0}” already exists: choose another name.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="221" />
        <source>Cannot create the project</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="278" />
        <source>Training is running</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="279" />
        <source>Stop training and quit? The best model so far is kept.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="171" />
        <location filename="../../gui/main_window.py" line="228" />
        <source>Open project</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="238" />
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="238" />
        <source>Open or create a project first.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="255" />
        <source>Export rejected lines</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="255" />
        <source>CSV files (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="259" />
        <source>Saved {0:,} rejected lines.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SegmentsPage</name>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="166" />
        <source>Customer segments</source>
        <extracomment>At most this many customers are drawn on the map (a random sample beyond it). A hover or click finds the nearest point within this many pixels. Not a "segment vs all customers" number (its overall value is the segment's share of customers); the list and the description already show it.</extracomment>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="170" />
        <source>Export this segment…</source>
        <translation>导出此分群…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="172" />
        <source>Export all…</source>
        <translation>全部导出…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="188" />
        <location filename="../../gui/pages/segments_page.py" line="310" />
        <source>Open a project to see its customer segments.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="196" />
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="199" />
        <source>Segment</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="200" />
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="201" />
        <source>Share</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="202" />
        <source>Revenue</source>
        <translation>收入</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="203" />
        <source>Intent</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="223" />
        <source>Customers in the segment</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="224" />
        <source>Share of all customers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="225" />
        <source>Share of all revenue (refunds subtracted)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="227" />
        <source>Average purchase intent of the segment's customers (0 to 1), from the active purchase-intent model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="271" />
        <source>Customer map</source>
        <translation>客户地图</translation>
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="314" />
        <source>Reading the segments…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="325" />
        <source>The segments could not be read: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="361" />
        <source>No customer segments yet.

Train customer profiles on the Train page (choose “Customer profiles &amp; segments” and press Start). The segments appear here when training ends.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="395" />
        <source>Showing a random sample of {0:,} of {1:,} customers.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="397" />
        <source>All {0:,} customers.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="403" />
        <source>Customers with similar behavior are close together; point at one to see who it is, click to open the customer.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="408" />
        <location filename="../../gui/pages/segments_page.py" line="589" />
        <source>Select a segment to see what sets it apart.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="429" />
        <source>k-means on the behavior features</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="430" />
        <source>k-means on the customer profiles learned by the autoencoder</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="433" />
        <source>the plain behavior features</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="434" />
        <source>the autoencoder profiles</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="440" />
        <source> (chosen in the settings)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="444" />
        <source> (more stable than {0} here: {1:.2f} vs {2:.2f})</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="449" />
        <source> (as stable as {0} here, {1:.2f} vs {2:.2f}, and better separated: silhouette {3:.2f} vs {4:.2f})</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="458" />
        <source>very stable: a second training puts nearly everyone in the same segment</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="461" />
        <source>fairly stable: a second training moves some customers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="464" />
        <source>unstable: a second training moves many customers, so treat the borders loosely</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="467" />
        <source>clearly apart</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="469" />
        <source>apart, with some overlap at the edges</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="471" />
        <source>overlapping: the borders between them are soft</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="474" />
        <source>Segments found by {0}{1}. Stability {2:.2f} (1 = identical): {3}. Silhouette {4:.2f} (-1 to 1): the segments are {5}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="477" />
        <source>{0:,} customers, behavior up to {1}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="482" />
        <source>Average intent appears once a purchase-intent model is trained (then train the profiles again).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="554" />
        <source>Customer {0} · {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="572" />
        <source>Selected: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="615" />
        <source>Most bought: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="653" />
        <source>&lt;span style='color:{0}'&gt;■&lt;/span&gt; this segment &amp;nbsp; &lt;span style='color:{1}'&gt;■&lt;/span&gt; all customers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="703" />
        <source>Export customers and segments</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="705" />
        <source>CSV files (*.csv)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="717" />
        <source>Export</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/segments_page.py" line="723" />
        <source>Saved {0:,} customers to {1}.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <location filename="../../gui/pages/train_page.py" line="99" />
        <source>Train a model</source>
        <translation>训练模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="104" />
        <source>Purchase intent</source>
        <translation>购买意向</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="105" />
        <source>Customer profiles &amp; segments</source>
        <translation>客户画像与分群</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="107" />
        <source>What to learn</source>
        <translation>学习目标</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="111" />
        <source>Only events up to the end of this day are used.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="112" />
        <source>As of</source>
        <translation>截至日期</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="115" />
        <source> days</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="116" />
        <source>Predict who buys within this many days after 'as of'.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="117" />
        <source>Buys within</source>
        <translation>购买期限</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="120" />
        <source>Fast</source>
        <translation>快速</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="120" />
        <source>Balanced</source>
        <translation>均衡</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="121" />
        <source>Thorough</source>
        <translation>精细</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="125" />
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="128" />
        <source>Find automatically</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="131" />
        <source>Segments</source>
        <translation>客户分群</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="136" />
        <source>Advanced settings</source>
        <translation>高级设置</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="169" />
        <source>best F1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="171" />
        <source>Who counts as 'will buy': the best-F1 threshold, or the top X% of scores.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="174" />
        <source>Epochs</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="174" />
        <source>Batch size</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="175" />
        <source>Learning rate</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="175" />
        <source>Hidden size</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="176" />
        <source>Events per customer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="176" />
        <source>Dropout</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="177" />
        <source>Weight decay</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="177" />
        <source>Network</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="178" />
        <source>Contact the top</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="178" />
        <source>Seed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="183" />
        <source>Start from the current model (faster after new data)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="187" />
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="190" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="198" />
        <source>Choose what to learn and press Start.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="201" />
        <source>Run history</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="203" />
        <source>Run</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="203" />
        <source>Task</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="203" />
        <source>When</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="203" />
        <source>Result</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="203" />
        <source>Took</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="218" />
        <source>Show run</source>
        <translation>查看记录</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="220" />
        <source>Use this model</source>
        <translation>使用此模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="231" />
        <source>No training yet.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="235" />
        <source>Loss (lower is better)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="236" />
        <location filename="../../gui/pages/train_page.py" line="252" />
        <source>epoch</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="239" />
        <source>training (smoothed)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="245" />
        <source>training (per epoch)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="249" />
        <source>validation</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="251" />
        <source>Validation AUC (higher is better)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="270" />
        <source>How well it predicts (latest period, never seen in training)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="274" />
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="274" />
        <source>PR AUC</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="274" />
        <source>Brier</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="274" />
        <source>Accuracy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="275" />
        <source>Precision</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="275" />
        <source>Recall</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="275" />
        <source>Lift 10%</source>
        <translation>前10%提升度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="291" />
        <source>ROC: buyers found vs others flagged</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="292" />
        <source>share of non-buyers flagged</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="293" />
        <source>share of buyers found</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="296" />
        <source>Precision vs recall</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="297" />
        <source>recall</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="298" />
        <source>precision</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="300" />
        <source>Lift: buyer rate in the top X% vs average</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="301" />
        <source>share of customers contacted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="331" />
        <source>Import data first: there is nothing to learn from yet.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="437" />
        <source>Preparing the training data…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="438" />
        <source>Training runs in the background; the window stays usable.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="447" />
        <source>Stop training</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="448" />
        <source>Stop training now and keep the best model found so far?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="462" />
        <source>Stopping after the current batch…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="485" />
        <source>Epoch {0}: batch {1:,} of {2:,}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="505" />
        <source>Epoch {0} of at most {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="507" />
        <source>Final fit on all periods: epoch {0} of {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="511" />
        <source> · elapsed {0} · about {1} left</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="521" />
        <source>Saved as run {0}; it is now the active model.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="528" />
        <source>Training did not run.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="530" />
        <source>Training</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="533" />
        <source>Stopped.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="563" />
        <source>Stopped early; this is the best model so far. </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="571" />
        <source>Found {0} segments: {1}. Stability across two seeds (adjusted Rand index): {2:.2f}. See them on the Segments page.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="589" />
        <source>{0} segments</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="592" />
        <source>active</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="594" />
        <source>warm start</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="596" />
        <source>stopped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="599" />
        <source>Intent</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="599" />
        <source>Profiles</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="622" />
        <source>Run {0} from {1}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../gui/pages/train_page.py" line="648" />
        <source>Run {0} is now the active model.</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>