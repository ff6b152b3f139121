<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
    <context>
        <name>CampaignFilters</name>
        <message>
            <location filename="../../work/main/gui/pages/campaign_filters.py" line="+39" />
            <source>Only customers of one segment (Segments page)</source>
            <extracomment>The largest spend a filter box accepts (the boxes hold doubles; this is just a bound).</extracomment>
            <translation>只看某一个客户群（见“客户群”页面）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Segment</source>
            <translation>分群</translation>
        </message>
        <message>
            <location line="+8" />
            <source>How likely the customer is to buy in the coming period</source>
            <translation>客户在接下来一段时间内购买的可能性</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Intent from</source>
            <translation>意向从</translation>
        </message>
        <message>
            <location line="+4" />
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <location line="+1" />
            <source>any time</source>
            <translation>任何时间</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Last seen within</source>
            <translation>最近活跃于</translation>
        </message>
        <message>
            <location line="-3" />
            <source>Only customers active in the shop within this many days before the day the intent model looked from</source>
            <translation>只看在意向模型的截止日期之前这么多天内在店里有过活动的客户</translation>
        </message>
        <message>
            <location line="+11" />
            <source>any</source>
            <translation>不限</translation>
        </message>
        <message>
            <location line="+2" />
            <source>What the customer has spent in the shop so far</source>
            <translation>客户迄今在店里的消费</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Spent from</source>
            <translation>消费从</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Only customers who bought in this category before</source>
            <translation>只看以前在这个品类买过东西的客户</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Bought in</source>
            <translation>买过的品类</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Leave out customers who already bought in this category</source>
            <translation>排除已经在这个品类买过东西的客户</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Never bought in</source>
            <translation>从未买过的品类</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Clear filters</source>
            <translation>清除筛选</translation>
        </message>
        <message>
            <location line="+20" />
            <source>to</source>
            <translation>到</translation>
        </message>
        <message>
            <location line="+6" />
            <source>All segments</source>
            <translation>所有客户群</translation>
        </message>
        <message>
            <location line="+1" />
            <source>any category</source>
            <translation>任意品类</translation>
        </message>
        <message>
            <location line="+1" />
            <source>no category</source>
            <translation>不限品类</translation>
        </message>
    </context>
    <context>
        <name>CampaignModel</name>
        <message>
            <location filename="../../work/main/gui/pages/campaign_model.py" line="+37" />
            <source>#</source>
            <extracomment>Column keys, in order; "rank" is the place in the list (the page's own order). The column of the segment names (hidden without a profiles run).</extracomment>
            <translation>#</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Customer</source>
            <translation>客户</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Intent</source>
            <translation>意向</translation>
        </message>
        <message>
            <location line="+1" />
            <location line="+15" />
            <source>Intent × order value</source>
            <translation>意向 × 订单金额</translation>
        </message>
        <message>
            <location line="-1" />
            <source>Expected spend</source>
            <translation>预计消费</translation>
        </message>
        <message>
            <location line="-14" />
            <source>Segment</source>
            <translation>分群</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Last seen</source>
            <translation>最近出现</translation>
        </message>
        <message>
            <location line="+17" />
            <source>The customer-value run's expected spend over the campaign's days, as on the Customers page</source>
            <translation>客户价值模型在本次营销天数内的预期消费，与“客户”页面相同</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Chance to buy × the customer's expected order value. The Customers page's expected spend comes from the customer-value run, which is used here once it measures better than each customer's own spend rate.</source>
            <translation>购买概率 × 该客户的预期订单金额。“客户”页面的预期消费来自客户价值模型；当它的检验结果优于每位客户自己的消费速度时，这里也会改用它。</translation>
        </message>
        <message>
            <location line="+83" />
            <source>What this customer will probably spend in the coming period, with a likely range: intent × their usual order value</source>
            <translation>这位客户在接下来一段时间内可能的消费及其大致范围：购买意向 × 其通常的订单金额</translation>
        </message>
    </context>
    <context>
        <name>CampaignPage</name>
        <message>
            <location filename="../../work/main/gui/pages/campaign_page.py" line="+75" />
            <source>Campaign</source>
            <translation>营销活动</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Export list…</source>
            <translation>导出名单…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>The customers in the table, in its order, with the three items to offer each and why, as a CSV or Excel file</source>
            <translation>按表格顺序导出表中的客户，以及给每位客户推荐的三件商品和理由，保存为 CSV 或 Excel 文件</translation>
        </message>
        <message>
            <location line="+18" />
            <location line="+147" />
            <source>Open a project to plan a campaign.</source>
            <translation>打开一个项目来策划营销活动。</translation>
        </message>
        <message>
            <location line="-123" />
            <source>Who may be on the list</source>
            <translation>哪些客户可以进入名单</translation>
        </message>
        <message>
            <location line="+6" />
            <source>What a sale brings</source>
            <translation>一笔销售带来多少</translation>
        </message>
        <message>
            <location line="+8" />
            <source>What you keep of a sale's value after the cost of goods</source>
            <translation>扣除商品成本后，一笔销售留给您的部分</translation>
        </message>
        <message>
            <location line="+7" />
            <source>What one contact costs you: a voucher, postage, a message, your time</source>
            <translation>联系一位客户的成本：优惠券、邮费、短信、您的时间</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Margin per sale</source>
            <translation>每笔销售的利润率</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Cost per contact</source>
            <translation>每次联系的成本</translation>
        </message>
        <message>
            <location line="+18" />
            <source>Contact the top</source>
            <translation>联系评分前</translation>
        </message>
        <message>
            <location line="+5" />
            <source> customers</source>
            <translation> 位客户</translation>
        </message>
        <message>
            <location line="+2" />
            <source>How many customers to contact, the likeliest buyers first (or drag the line on the chart)</source>
            <translation>要联系多少位客户，最可能购买的排在前面（也可以拖动图表上的线）</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Best cut</source>
            <translation>最佳人数</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The list size with the highest expected profit</source>
            <translation>预期利润最高的名单人数</translation>
        </message>
        <message>
            <location line="+71" />
            <source>Reading customers…</source>
            <translation>正在读取客户…</translation>
        </message>
        <message>
            <location line="+8" />
            <source>The customers could not be read: {0}</source>
            <translation>无法读取客户：{0}</translation>
        </message>
        <message>
            <location line="+51" />
            <source>{0:,} of {1:,} customers match.</source>
            <translation>{1:,} 位客户中有 {0:,} 位符合条件。</translation>
        </message>
        <message>
            <location line="+22" />
            <source>The list size with the highest expected profit: {0:,} customers ({1})</source>
            <translation>预期利润最高的名单人数：{0:,} 位客户（{1}）</translation>
        </message>
        <message>
            <location line="+16" />
            <source>Export list</source>
            <translation>导出名单</translation>
        </message>
        <message>
            <location line="+16" />
            <source>{0:,} customers</source>
            <translation>{0:,} 位客户</translation>
        </message>
    </context>
    <context>
        <name>CustomersModel</name>
        <message>
            <location filename="../../work/main/gui/pages/customers_model.py" line="+50" />
            <source>Customer</source>
            <extracomment>The table's own columns; every task adds its columns (engine.customers): numbers after the customer, words at the end. Every customer's row order by a column (key, order): a sort or a filter after the first only picks the kept rows from it (milliseconds at 1,000,000 customers).</extracomment>
            <translation>客户</translation>
        </message>
        <message>
            <source>Purchases</source>
            <translation>购买</translation>
        </message>
        <message>
            <source>Revenue</source>
            <translation>收入</translation>
        </message>
        <message>
            <source>Last seen</source>
            <translation>最近出现</translation>
        </message>
    </context>
    <context>
        <name>CustomersPage</name>
        <message>
            <location filename="../../work/main/gui/pages/customers_page.py" line="+76" />
            <source>Customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Find a customer by id…</source>
            <translation>按编号查找客户…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Show only customers whose id contains what you type</source>
            <translation>只显示编号包含所输入内容的客户</translation>
        </message>
        <message>
            <location line="+8" />
            <source>How likely the customer is to buy in the coming period</source>
            <translation>客户在接下来一段时间内购买的可能性</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Intent from</source>
            <translation>意向从</translation>
        </message>
        <message>
            <location line="+2" />
            <source>to</source>
            <translation>到</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Columns</source>
            <translation>列</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Choose the columns the list shows and exports; drag a heading to move a column</source>
            <translation>选择列表显示和导出的列；拖动列标题可移动列</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Export what you see…</source>
            <translation>导出当前列表…</translation>
        </message>
        <message>
            <location line="+3" />
            <source>The customers the list shows now (after search, intent range and sort), with its columns, as a CSV or Excel file: a contact list</source>
            <translation>将列表当前显示的客户（按搜索、意向范围和排序筛选后）连同各列导出为 CSV 或 Excel 文件：即一份联系名单</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Export scores…</source>
            <translation>导出评分…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Every scored customer with score, rank, as-of date and horizon, best first</source>
            <translation>所有已评分客户及其评分、排名、截至日期和预测期限，按评分从高到低排列</translation>
        </message>
        <message>
            <location line="+36" />
            <location line="+49" />
            <source>Select a customer in the list to see their card.</source>
            <translation>在列表中选择一位客户以查看详情。</translation>
        </message>
        <message>
            <location line="+144" />
            <source>{0:,} scores</source>
            <translation>{0:,} 条评分</translation>
        </message>
        <message>
            <location line="+54" />
            <location line="+6" />
            <source>Forget this customer</source>
            <translation>删除此客户</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Delete everything about customer {0} from this project: their events, scores, segment and rejected lines? Models trained on them are marked out of date. This cannot be undone.</source>
            <translation>从本项目中删除客户 {0} 的全部信息：包括其行为、评分、分群和未导入的行？用其数据训练的模型将被标记为过期。此操作无法撤销。</translation>
        </message>
        <message>
            <location line="+15" />
            <source>Customer {0} was forgotten: nothing about them is left in the project.

</source>
            <translation>客户 {0} 已被删除：项目中不再保留其任何信息。

</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/customer_card.py" line="+38" />
            <source>Select a customer</source>
            <translation>请选择客户</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Forget this customer…</source>
            <translation>删除此客户…</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Delete everything about this customer from the project, for good</source>
            <translation>从项目中永久删除此客户的全部信息</translation>
        </message>
        <message>
            <location line="+23" />
            <source>What they did</source>
            <translation>客户行为</translation>
        </message>
        <message>
            <location line="+13" />
            <source>What moved the score most</source>
            <translation>影响评分最多的行为</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/customers_page.py" line="-219" />
            <source>No customers yet: import your shop's behavior log on the Data page.</source>
            <translation>还没有客户：请在“数据”页导入您店铺的行为日志。</translation>
        </message>
        <message>
            <location line="+14" />
            <source> · no intent scores yet: train on the Train page</source>
            <translation> · 尚无意向评分：请在“训练”页训练模型</translation>
        </message>
        <message>
            <location line="+2" />
            <source>{0:,} of {1:,} customers</source>
            <translation>{0:,} / {1:,} 位客户</translation>
        </message>
        <message>
            <location line="+74" />
            <location line="+26" />
            <source>Export what you see</source>
            <translation>导出当前列表</translation>
        </message>
        <message>
            <location line="-5" />
            <source>{0:,} customers</source>
            <translation>{0:,} 位客户</translation>
        </message>
        <message>
            <location line="+21" />
            <location line="+7" />
            <source>Export scores</source>
            <translation>导出评分</translation>
        </message>
        <message>
            <location line="+31" />
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/customer_card.py" line="+13" />
            <source>Customer {0}</source>
            <translation>客户 {0}</translation>
        </message>
    </context>
    <context>
        <name>DataPage</name>
        <message>
            <location filename="../../work/main/gui/pages/data_page.py" line="+84" />
            <source>Your data</source>
            <extracomment>Import warnings shown at most (a project of many monthly imports repeats the same few).</extracomment>
            <translation>您的数据</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Import a file…</source>
            <translation>导入文件…</translation>
        </message>
        <message>
            <location line="+9" />
            <source>customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <location line="+1" />
            <source>items</source>
            <translation>商品</translation>
        </message>
        <message>
            <location line="+1" />
            <location line="+23" />
            <location line="+2" />
            <source>events</source>
            <translation>行为</translation>
        </message>
        <message>
            <location line="-24" />
            <source>revenue (refunds subtracted)</source>
            <translation>收入（已扣除退款）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>time span</source>
            <translation>时间跨度</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Data health</source>
            <translation>数据质量</translation>
        </message>
        <message>
            <location line="+11" />
            <source>Events per day</source>
            <translation>每日行为数</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Events by type</source>
            <translation>行为类型</translation>
        </message>
        <message>
            <location line="+12" />
            <source>Category</source>
            <translation>类目</translation>
        </message>
        <message>
            <location line="+0" />
            <location line="+4" />
            <source>Events</source>
            <translation>行为数</translation>
        </message>
        <message>
            <location line="-4" />
            <location line="+4" />
            <source>Purchases</source>
            <translation>购买</translation>
        </message>
        <message>
            <location line="-4" />
            <location line="+4" />
            <source>Revenue</source>
            <translation>收入</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Item</source>
            <translation>商品</translation>
        </message>
        <message>
            <location line="+4" />
            <location line="+94" />
            <source>Top categories</source>
            <translation>热门类目</translation>
        </message>
        <message>
            <location line="-93" />
            <source>Top items</source>
            <translation>热门商品</translation>
        </message>
        <message>
            <location line="+31" />
            <source>No project is open.</source>
            <translation>没有打开的项目。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Reading the project…</source>
            <translation>正在读取项目…</translation>
        </message>
        <message>
            <location line="+6" />
            <source>The project could not be read: </source>
            <translation>无法读取项目：</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Your data — {0}</source>
            <translation>您的数据 — {0}</translation>
        </message>
        <message>
            <location line="+4" />
            <source>This project is empty. Import your shop's behavior log (CSV) to begin: File → Import, or drop the file on this window.</source>
            <translation>此项目是空的。请先导入您店铺的行为日志（CSV）：选择“文件 → 导入”，或将文件拖到此窗口。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>1 import.</source>
            <translation>共 1 次导入。</translation>
        </message>
        <message>
            <location line="+0" />
            <source>{0} imports.</source>
            <translation>共 {0} 次导入。</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Figures cover every imported event.</source>
            <translation>以上数字涵盖所有已导入的行为。</translation>
        </message>
        <message>
            <location line="+37" />
            <source>Top categories — this data has no categories</source>
            <translation>热门类目 — 此数据没有类目</translation>
        </message>
        <message>
            <location line="+18" />
            <source>… and {0:,} more warnings of older imports.</source>
            <translation>… 以及早前导入的另外 {0:,} 条警告。</translation>
        </message>
        <message>
            <location line="-44" />
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <location line="+9" />
            <source>No problems found: no duplicates, no stray dates, no bot-like customers, every purchase has a price.</source>
            <translation>未发现问题：没有重复记录、没有异常日期、没有疑似机器人的客户，每笔购买都有价格。</translation>
        </message>
    </context>
    <context>
        <name>DemoProgress</name>
        <message>
            <location filename="../../work/main/gui/app.py" line="+179" />
            <location line="+72" />
            <source>Preparing the demo project…</source>
            <extracomment>What the window says while it makes the demo project on first start.</extracomment>
            <translation>正在准备演示项目…</translation>
        </message>
        <message>
            <location line="-39" />
            <source>{0} s</source>
            <translation>{0} 秒</translation>
        </message>
        <message>
            <source>IntentLens is making a demo project for you to try: a made-up shop with 2,000 customers and half a year of their visits, searches and purchases. This takes less than a minute, once; the pages fill in when it is ready.</source>
            <translation>IntentLens 正在为您创建一个演示项目：一家虚构的店铺，有 2,000 位客户及其半年来的访问、搜索和购买记录。只需不到一分钟，且只做一次；准备好后各页面会自动显示内容。</translation>
        </message>
    </context>
    <context>
        <name>EmptyState</name>
        <message>
            <location filename="../../work/main/gui/widgets.py" line="+459" />
            <source>Go to the Train page</source>
            <translation>前往“训练”页面</translation>
        </message>
    </context>
    <context>
        <name>ForecastChart</name>
        <message>
            <location filename="../../work/main/gui/pages/forecast_views.py" line="+89" />
            <source>Sold</source>
            <extracomment>The chart's colours: what sold, the forecast's middle, its range, the forecast's start. The change column's colours: demand rising, falling. Tick steps in days, finest first. Room each label needs, in pixels.</extracomment>
            <translation>已售</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Forecast (P50)</source>
            <translation>预测（P50）</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Likely range (P10–P90)</source>
            <translation>可能范围（P10–P90）</translation>
        </message>
        <message>
            <location line="+5" />
            <source>forecast starts</source>
            <translation>预测起点</translation>
        </message>
    </context>
    <context>
        <name>ForecastPage</name>
        <message>
            <location filename="../../work/main/gui/pages/forecast_page.py" line="+82" />
            <source>Sales forecast</source>
            <translation>销量预测</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Export forecast…</source>
            <translation>导出预测…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Every forecast of the run (shop, categories, items; units and revenue; P10, P50, P90 per period) as a CSV or Excel file</source>
            <translation>本次运行的全部预测（全店、各品类、各商品；件数和销售额；每个周期的 P10、P50、P90），导出为 CSV 或 Excel 文件</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Save chart…</source>
            <translation>保存图表…</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The chart as shown, as a PNG picture</source>
            <translation>将当前显示的图表保存为 PNG 图片</translation>
        </message>
        <message>
            <location line="+19" />
            <location line="+119" />
            <source>Open a project to see its sales forecast.</source>
            <translation>打开一个项目即可查看其销量预测。</translation>
        </message>
        <message>
            <location line="-70" />
            <source>Items whose demand is rising or falling most</source>
            <translation>需求增长或下降最多的商品</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Stock to cover the next</source>
            <translation>备货覆盖未来</translation>
        </message>
        <message>
            <location line="+3" />
            <source> weeks</source>
            <translation> 周</translation>
        </message>
        <message>
            <location line="+2" />
            <source>The stock column covers demand of this many weeks in 9 cases out of 10 (P90)</source>
            <translation>库存一栏可在 10 次中有 9 次满足这么多周的需求（P90）</translation>
        </message>
        <message>
            <location line="+16" />
            <source>Double-click an item to see its forecast in the chart</source>
            <translation>双击商品可在图表中查看其预测</translation>
        </message>
        <message>
            <location line="+48" />
            <source>Reading the forecast…</source>
            <translation>正在读取预测…</translation>
        </message>
        <message>
            <location line="+7" />
            <source>The forecast could not be read: {0}</source>
            <translation>无法读取预测：{0}</translation>
        </message>
        <message>
            <location line="+17" />
            <source>No sales forecast yet.

Train the sales forecast on the Train page (choose “Sales forecast” and press Start). The forecast of the shop, its categories and items appears here when training ends.</source>
            <translation>尚无销量预测。

请在“训练”页训练销量预测（选择“销量预测”并点击“开始”）。训练结束后，全店、各品类和商品的预测将显示在这里。</translation>
        </message>
        <message>
            <location line="+16" />
            <source>Forecast {1} weeks ahead from the data up to {0} · trained {2}</source>
            <translation>基于截至 {0} 的数据预测未来 {1} 周 · 训练于 {2}</translation>
        </message>
        <message>
            <location line="+27" />
            <source>revenue per week</source>
            <translation>每周销售额</translation>
        </message>
        <message>
            <location line="+0" />
            <source>revenue per day</source>
            <translation>每天销售额</translation>
        </message>
        <message>
            <location line="+2" />
            <source>units sold per week</source>
            <translation>每周销量</translation>
        </message>
        <message>
            <location line="+0" />
            <source>units sold per day</source>
            <translation>每天销量</translation>
        </message>
        <message>
            <location line="+1" />
            <source>week starting</source>
            <translation>周起始日</translation>
        </message>
        <message>
            <location line="+0" />
            <location line="+17" />
            <source>day</source>
            <translation>天</translation>
        </message>
        <message>
            <location line="-15" />
            <source>Whole shop</source>
            <translation>全店</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0} — method: {1}.</source>
            <translation>{0} — 方法：{1}。</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Each point is one week (7 days); the forecast covers {0} weeks.</source>
            <translation>每个点代表一周（7 天）；预测覆盖 {0} 周。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Each point is one day (the log is short and busy enough for daily periods); the forecast covers {0} days.</source>
            <translation>每个点代表一天（记录时间短且交易频繁，适合按天统计）；预测覆盖 {0} 天。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>The dashed line is as likely to be beaten as missed (P50); 8 periods in 10 fall inside the band (P10–P90).</source>
            <translation>虚线（P50）被超出和未达到的可能性相同；每 10 个周期中有 8 个落在区间内（P10–P90）。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>week</source>
            <translation>周</translation>
        </message>
        <message>
            <location line="+15" />
            <source>No item forecasts in this run: train it down to items to see them here.</source>
            <translation>本次运行没有商品级预测：将预测细化到商品后再训练，即可在此查看。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>{0:,} items, the biggest change in units first. Double-click one to see it in the chart; click a column to sort.</source>
            <translation>共 {0:,} 个商品，按件数变化从大到小排列。双击某个商品可在图中查看；点击列标题可排序。</translation>
        </message>
        <message>
            <location line="+16" />
            <source>Export forecast</source>
            <translation>导出预测</translation>
        </message>
        <message>
            <location line="+6" />
            <source>{0:,} forecasts</source>
            <translation>{0:,} 条预测</translation>
        </message>
    </context>
    <context>
        <name>HelpDialog</name>
        <message>
            <location filename="../../work/main/gui/help_guide.py" line="+316" />
            <source>IntentLens help</source>
            <translation>IntentLens 帮助</translation>
        </message>
        <message>
            <location line="+13" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <location line="+10" />
            <source>Guide: {0}</source>
            <translation>指南：{0}</translation>
        </message>
        <message>
            <location line="+7" />
            <source>What do these numbers mean?</source>
            <translation>这些数字是什么意思？</translation>
        </message>
    </context>
    <context>
        <name>HelpGuide</name>
        <message>
            <location line="-306" />
            <source>The Data page</source>
            <extracomment>The link (``href``) that opens the numbers explanation; ``NUMBERS#anchor`` opens a section. A link to a page's guide is ``guide:&lt;page key&gt;``. Simple, readable styling (the document's default style sheet: Qt's subset of CSS).</extracomment>
            <translation>“数据”页面</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The Train page</source>
            <translation>“训练”页面</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The Customers page</source>
            <translation>“客户”页面</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The Campaign page</source>
            <translation>“营销活动”页面</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The Forecast page</source>
            <translation>“预测”页面</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The Segments page</source>
            <translation>“客户分群”页面</translation>
        </message>
        <message>
            <location line="+7" />
            <source>What this page is for</source>
            <translation>这个页面的用途</translation>
        </message>
        <message>
            <location line="+1" />
            <source>What to do here</source>
            <translation>在这里可以做什么</translation>
        </message>
        <message>
            <location line="+1" />
            <source>What the numbers mean</source>
            <translation>这些数字的含义</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Your data at a glance: how many customers, items and events (visits, searches, carts, purchases) the project holds, the revenue and the days they cover.</source>
            <translation>一眼看清您的数据：项目中有多少客户、商品和行为（浏览、搜索、加购、购买），收入是多少，覆盖了哪些日子。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Press “Import a file…” (or drop a file on the window) to bring in your shop's behavior log. The import wizard shows how it reads the file before anything is saved; change what it found if it is wrong.</source>
            <translation>点击“导入文件…”（或把文件拖到窗口上）即可导入您商店的行为日志。导入向导会在保存任何内容之前展示它如何读取该文件；如果识别有误，请修改。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Every line is either imported or set aside with a reason. File → Export rejected lines saves the set-aside lines, so you can fix and import them again.</source>
            <translation>每一行要么被导入，要么连同原因被放到一边。“文件 → 导出未导入的行”会保存这些被放到一边的行，方便您修改后重新导入。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Revenue is what customers paid, with refunds taken off. The charts show events per day, events by type and your best categories and items. “Data health” lists what could mislead the models, such as duplicate lines, dates far outside the main period or purchases without a price.</source>
            <translation>收入是客户支付的金额，已扣除退款。图表显示每日行为数、各类行为数，以及最好的类目和商品。“数据质量”列出可能误导模型的问题，例如重复的行、远离主要时段的日期或没有价格的购买。</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Here IntentLens learns from your data. Each kind of model answers one question: who is about to buy (purchase intent), what kinds of customers you have (profiles), what to offer whom (recommendations), what each customer will spend (customer value) and how much you will sell (sales forecast).</source>
            <translation>IntentLens 在这里从您的数据中学习。每种模型回答一个问题：谁快要购买（购买意向）、您有哪些类型的客户（客户画像）、给谁推荐什么（推荐）、每位客户会花多少钱（客户价值），以及您能卖多少（销量预测）。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Choose what to learn and press “Start training”. The default settings suit most shops; hold the mouse over a setting to read what it does. Training runs in the background, and the curves show it learning as it goes. You can stop at any time and keep the best model so far.</source>
            <translation>选择要学习的内容，然后点击“开始训练”。默认设置适合大多数商店；把鼠标停在某个设置上即可看到它的作用。训练在后台进行，曲线会实时显示学习的过程。您可以随时停止，并保留目前最好的模型。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Every run is kept in the list at the bottom left. The newest run is used by the other pages; select an older one and make it the active model to go back.</source>
            <translation>每次训练都保存在左下方的列表中。其他页面使用最新的一次；若要回到以前的模型，选中它并设为当前模型即可。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The curves show the error going down while the model learns; when the validation curve stops falling, the model has learned what it can. After training, a few sentences say how well the model did on the latest period of your data, which it never saw while learning, and whether it beats simple rules of thumb.</source>
            <translation>曲线显示模型学习时误差在下降；当验证曲线不再下降时，模型就已经学到了它能学的。训练结束后，几句话会说明模型在您数据中最近一段时间（学习时从未见过）上的表现，以及它是否胜过简单的经验法则。</translation>
        </message>
        <message>
            <location line="+10" />
            <source>Every customer with how likely they are to buy soon, and why. Customers most likely to buy come first.</source>
            <translation>每位客户近期购买的可能性有多大，以及原因。最可能购买的客户排在最前面。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Find a customer by id, or narrow the list to an intent range. Click a customer to open their card: their score, the recent events that raised or lowered it, their history and, when those models are trained, their segment, expected spend and what to offer them. “Export what you see…” saves the list as shown for Excel.</source>
            <translation>按编号查找客户，或把列表缩小到某个意向范围。点击客户即可打开其卡片：分数、提高或降低分数的近期事件、历史记录，以及在相应模型训练后显示的客户群、预期消费和推荐商品。“导出当前列表…”会按显示的样子保存列表，供 Excel 使用。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>“72% likely” means that of 100 customers with this score, about 72 buy within the days shown. “Top 5% of customers” says where the customer stands against all others. Expected spend, next order date and churn risk come from the customer-value model.</source>
            <translation>“可能性 72%”表示 100 位得到这个分数的客户中，大约 72 位会在所示天数内购买。“客户中的前 5%”说明这位客户在所有客户中的位置。预期消费、下次下单日期和流失风险来自客户价值模型。</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Plan whom to contact in your next campaign (an e-mail, a coupon, a call), and what to offer each of them.</source>
            <translation>规划下一次营销活动（一封邮件、一张优惠券、一个电话）要联系谁，以及给每个人推荐什么。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Use the filters to choose who may be on the list. Then enter your margin (the share of a sale you keep after the cost of goods) and what one contact costs. Drag the line on the chart or set “Contact the top” to choose how many to contact; “Best cut” picks the list size with the most expected profit. “Export list…” saves the list with three items to offer each customer, as a CSV or Excel file.</source>
            <translation>用筛选条件选择哪些人可以进入名单。然后输入您的利润率（扣除商品成本后您留下的销售额比例）以及每次联系的成本。拖动图表上的线或设置“联系评分前”来决定联系多少人；“最佳人数”会选出预期利润最高的名单大小。“导出名单…”会把名单连同给每位客户推荐的三件商品保存为 CSV 或 Excel 文件。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Expected buyers add up each customer's chance to buy: 20 customers at 50% are about 10 buyers. Expected profit is the expected revenue times your margin, minus the cost of every contact. It is an estimate, not a promise.</source>
            <translation>预期买家是把每位客户的购买可能性加起来：20 位可能性 50% 的客户约等于 10 位买家。预期利润是预期收入乘以您的利润率，再减去所有联系的成本。这是估计，不是保证。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>How much you will probably sell in the coming weeks, for the whole shop, each category and each item, in units or revenue.</source>
            <translation>接下来几周您可能卖出多少：全店、每个类目和每件商品，按件数或收入计。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Pick the shop, a category or an item to see its history and forecast. The table lists the items whose demand is rising or falling most, with the stock to keep for the next weeks. “Export forecast…” saves every forecast for Excel.</source>
            <translation>选择全店、某个类目或某件商品，查看其历史和预测。表格列出需求上升或下降最多的商品，以及接下来几周应备的库存。“导出预测…”会保存所有预测，供 Excel 使用。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The dashed line is the middle guess: sales are as likely to be above it as below. The shaded band is the likely range; about 8 weeks in 10 should fall inside it. The sentence under the chart says how far off the forecast was on past weeks it did not see.</source>
            <translation>虚线是居中的估计：实际销量高于或低于它的可能性相同。阴影带是可能的范围；大约 10 周中有 8 周应落在其中。图表下方的句子说明预测在它没见过的过去几周上偏差有多大。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Your customers grouped into segments: groups who shop alike, such as loyal regulars, bargain hunters or one-time visitors. Each segment gets a plain name from what sets it apart.</source>
            <translation>您的客户被分成若干群：购物习惯相似的人在一起，例如忠实老客户、爱淘便宜货的人或只来过一次的访客。每个客户群都按它与众不同之处得到一个通俗的名字。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Select a segment to see its size and what sets it apart from the rest. The customer map puts similar customers close together; click a dot to open that customer. Export a segment to reach its customers in a campaign.</source>
            <translation>选择一个客户群，查看它的人数以及与其他客户的不同之处。客户地图把相似的客户放在一起；点击一个点即可打开该客户。导出一个客户群，就能在营销活动中联系这些客户。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>A segment's numbers compare it with all customers, for example its share of customers and of revenue, or “spend 2.0x the average per customer”. Segments describe; they do not predict. Train customer profiles on the Train page to make them.</source>
            <translation>客户群的数字是与全部客户相比得出的，例如它占客户数和收入的比例，或“人均消费是平均水平的 2.0 倍”。客户群用于描述，而不是预测。在“训练”页面训练客户画像即可生成客户群。</translation>
        </message>
        <message>
            <location line="+16" />
            <source>More about these numbers</source>
            <translation>进一步了解这些数字</translation>
        </message>
        <message>
            <location line="+4" />
            <location line="+101" />
            <source>What do these numbers mean?</source>
            <translation>这些数字是什么意思？</translation>
        </message>
        <message>
            <location line="-93" />
            <source>How likely a customer is to buy</source>
            <translation>客户购买的可能性有多大</translation>
        </message>
        <message>
            <location line="+1" />
            <source>intent score</source>
            <translation>购买意向分</translation>
        </message>
        <message>
            <location line="+0" />
            <source>“Buys within 30 days: 72% likely” means: of 100 customers with this score, about 72 buy within the next 30 days. It is a chance, not a certainty; the days come from the “Buys within” setting.</source>
            <translation>“30 天内购买：可能性 72%”的意思是：100 位得到这个分数的客户中，大约 72 位会在接下来 30 天内购买。这是可能性，不是确定的结果；天数来自“购买期限”设置。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Where a customer stands</source>
            <translation>客户排在什么位置</translation>
        </message>
        <message>
            <location line="+1" />
            <source>rank, top %</source>
            <translation>排名、前 %</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Rank 1 is the customer most likely to buy. “Top 5% of customers” means only 5 in 100 customers are more likely to buy than this one; “bottom 10%” means 9 in 10 are more likely.</source>
            <translation>排名第 1 的是最可能购买的客户。“客户中的前 5%”表示 100 位客户中只有 5 位比这位更可能购买；“后 10%”表示 10 位中有 9 位比这位更可能购买。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>How many more buyers the model finds</source>
            <translation>模型多找到了多少买家</translation>
        </message>
        <message>
            <location line="+1" />
            <source>lift</source>
            <translation>提升度</translation>
        </message>
        <message>
            <location line="+0" />
            <source>“Finds 3.0x more buyers in its top 10% than chance” means: contact the 10% of customers the model rates highest and you reach three times as many buyers as when you pick 10% at random. 1x is no better than a random pick.</source>
            <translation>“在前 10% 中找到的买家是随机的 3.0 倍”的意思是：联系模型评分最高的 10% 客户，接触到的买家是随机挑选 10% 客户时的三倍。1 倍就和随机挑选一样。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>How well it ranks buyers above non-buyers</source>
            <translation>把买家排在非买家前面的能力</translation>
        </message>
        <message>
            <location line="+1" />
            <source>AUC</source>
            <translation>AUC</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Take one customer who bought and one who did not: the AUC is how often the model rates the buyer higher. 0.5 is chance (a coin toss), 1 is perfect; 0.7 is useful and 0.8 or more is strong for shop data.</source>
            <translation>任取一位买了的客户和一位没买的客户：AUC 就是模型把买家评得更高的比例。0.5 等于碰运气（抛硬币），1 是完美；对商店数据来说，0.7 已经有用，0.8 及以上就很强。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>How often a yes-or-no guess is right</source>
            <translation>“会买 / 不会买”的判断有多准</translation>
        </message>
        <message>
            <location line="+1" />
            <source>accuracy, precision, recall, F1</source>
            <translation>准确率、精确率、召回率、F1</translation>
        </message>
        <message>
            <location line="+0" />
            <source>The model says “will buy” for the customers above a cut-off. Accuracy: how many of all its yes-or-no guesses were right. Precision: of those it said would buy, how many did. Recall: of those who bought, how many it named. F1 balances precision and recall in one number (1 is perfect).</source>
            <translation>模型对分数高于某个分界线的客户判断为“会买”。准确率：它所有“会买 / 不会买”的判断中有多少是对的。精确率：它说会买的人中，有多少真的买了。召回率：真正买了的人中，它点中了多少。F1 把精确率和召回率合成一个数（1 为完美）。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>When few customers buy, accuracy looks high even for a model that names nobody, so look at lift and AUC first.</source>
            <translation>购买的客户很少时，即使模型一个人都没点中，准确率也会显得很高，所以请先看提升倍数和 AUC。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>How a model is checked</source>
            <translation>模型是怎样检验的</translation>
        </message>
        <message>
            <location line="+1" />
            <source>validation period, time-based split</source>
            <translation>验证期，按时间划分</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Before a model is trusted, IntentLens hides the latest period of your data, lets the model learn from what came before, and then checks its guesses against what really happened in that hidden period. This is how it would have done had you used it then. The verdicts name that period, e.g. “purchases 2024-05-01 to 2024-05-30”.</source>
            <translation>在信任一个模型之前，IntentLens 会先把您数据中最近的一段时间藏起来，让模型只从之前的数据中学习，再拿它的预测与那段时间里真实发生的情况对比。这就是假如您当时使用它，它的表现会如何。结论中会写明这段时间，例如“2024-05-01 至 2024-05-30 的购买”。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>“Beats” and “about as well as”</source>
            <translation>“胜过”与“差不多”</translation>
        </message>
        <message>
            <location line="+1" />
            <source>95% interval</source>
            <translation>95% 区间</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Every model is compared with simple rules of thumb, such as “whoever bought recently buys again”. The difference comes with a 95% interval: the range the true difference lies in, allowing for luck. “Beats” means the whole range is better; “about as well as” means the range includes no difference, so the simpler method may be just as good. When a simple method ranks buyers as well, its scores are used.</source>
            <translation>每个模型都会与简单的经验法则比较，例如“最近买过的人会再买”。差距附带一个 95% 区间：考虑到运气因素后，真实差距所在的范围。“胜过”表示整个区间都更好；“差不多”表示区间包含“没有差别”，所以更简单的方法可能同样好。当简单方法排序买家同样出色时，就使用它的分数。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>What a customer will spend</source>
            <translation>客户将花多少钱</translation>
        </message>
        <message>
            <location line="+1" />
            <source>expected spend, P10–P90 range</source>
            <translation>预期消费，P10–P90 区间</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Expected spend is the chance to buy times the usual order value, over the coming days. “Likely 0.00–120.00” is the range it falls in for 8 customers in 10: lower for 1 in 10 (P10) and higher for 1 in 10 (P90). The range starts at 0 when the customer may well not buy at all.</source>
            <translation>预期消费是接下来这些天里的购买可能性乘以通常的订单金额。“可能 0.00–120.00”是 10 位客户中有 8 位会落入的范围：有 1 位更低（P10），有 1 位更高（P90）。如果客户很可能根本不买，这个范围就从 0 开始。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Who may not come back</source>
            <translation>谁可能不再回来</translation>
        </message>
        <message>
            <location line="+1" />
            <source>churn risk</source>
            <translation>流失风险</translation>
        </message>
        <message>
            <location line="+0" />
            <source>The chance that a customer does not order again for three times their usual gap between orders, and at least 90 days (the setting “Churn window at least”). High means 70% or more, Medium 40–70%, Low under 40%. Good customers at high risk are worth a personal message.</source>
            <translation>客户在其通常下单间隔的三倍时间内（且至少 90 天，见设置“流失判定至少”）不再下单的可能性。高表示 70% 及以上，中为 40–70%，低为 40% 以下。高风险的好客户值得发一条专门的消息。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>When the next order comes</source>
            <translation>下一单什么时候来</translation>
        </message>
        <message>
            <location line="+1" />
            <source>next order date</source>
            <translation>下次下单日期</translation>
        </message>
        <message>
            <location line="+0" />
            <source>From the gaps between a customer's past orders: “around June 12 (likely June 3 to June 28)”. It needs purchases on two days or more.</source>
            <translation>根据客户以往订单之间的间隔得出：“6 月 12 日左右（可能在 6 月 3 日至 6 月 28 日之间）”。需要客户至少在两个不同的日子购买过。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>How far off a sales forecast is</source>
            <translation>销量预测偏差有多大</translation>
        </message>
        <message>
            <location line="+1" />
            <source>WAPE, MASE</source>
            <translation>WAPE、MASE</translation>
        </message>
        <message>
            <location line="+0" />
            <source>“Off by 12% a week on average” is the forecast's typical error on past weeks it did not see, as a share of what was really sold (WAPE). Lower is better; for single items, which sell unevenly, a range is more honest than a number.</source>
            <translation>“平均每周偏差 12%”是预测在它没见过的过去几周上的典型误差，按实际销量的比例计算（WAPE）。越低越好；单个商品卖得不均匀，给出一个范围比一个数字更可靠。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>MASE compares the error with a plain guess, “the same as the same period last cycle” (seasonal naive): under 1 means the forecast beats that guess, over 1 means it does worse.</source>
            <translation>MASE 把误差与一个简单的猜测比较：“与上一周期同一时段相同”（季节性朴素法）：小于 1 表示预测胜过这个猜测，大于 1 表示不如它。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Groups of customers</source>
            <translation>客户群</translation>
        </message>
        <message>
            <location line="+1" />
            <source>segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <location line="+0" />
            <source>A segment is a group of customers who shop alike: how often, how recently, how much and what. IntentLens finds the groups itself and names each by what sets it apart. A customer belongs to one segment.</source>
            <translation>客户群是购物方式相似的一群客户：买得多频繁、最近何时买过、花多少钱、买什么。IntentLens 自己找出这些群，并按每个群与众不同之处命名。每位客户属于一个客户群。</translation>
        </message>
        <message>
            <location line="+12" />
            <source>The plain meaning comes first; the expert's name for it follows in grey, for when you meet it elsewhere.</source>
            <translation>先用大白话说明含义；后面灰色的是专业术语，方便您在别处遇到时认出它。</translation>
        </message>
    </context>
    <context>
        <name>ImportWizard</name>
        <message>
            <location filename="../../work/main/gui/import_wizard.py" line="+60" />
            <source>Import a behavior log</source>
            <translation>导入行为日志</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_choose.py" line="+53" />
            <source>The file to import: choose another, or drop one on this window</source>
            <translation>要导入的文件：可以另选一个，或把文件拖到此窗口上</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Choose a file, or drop it here</source>
            <translation>选择文件，或将文件拖到这里</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Choose file…</source>
            <translation>选择文件…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>File:</source>
            <translation>文件：</translation>
        </message>
        <message>
            <location line="+40" />
            <source>The project then holds made-up ids instead of your customers' own; only the key file beside the project turns them back into the real ones.</source>
            <translation>项目中将保存虚构的编号，而不是客户的真实编号；只有项目旁边的密钥文件才能把它们还原成真实编号。</translation>
        </message>
        <message>
            <location line="+52" />
            <source>The customers are e-mail addresses, so they are replaced by pseudonyms unless you uncheck this.</source>
            <translation>客户编号是电子邮件地址，因此会被替换为假名，除非您取消勾选此项。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_reading.py" line="+45" />
            <source>What IntentLens found (change it if it is wrong)</source>
            <translation>IntentLens 的识别结果（如有误请修改）</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Recognise automatically</source>
            <translation>自动识别</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Other CSV (map the columns below)</source>
            <translation>其他 CSV（请在下方对应各列）</translation>
        </message>
        <message>
            <location line="+2" />
            <source>The shop system or file kind the file comes from; a known one needs no mapping.</source>
            <translation>文件来自哪个商店系统或是哪种文件；已知的类型无需对应列。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>How the file stores its letters. Change it when names show odd signs such as “Ã©”.</source>
            <translation>文件存储文字的方式。如果名称中出现“Ã©”之类的怪字符，请修改它。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>The sign between the columns of a line (comma, semicolon, tab…)</source>
            <translation>一行中各列之间的分隔符号（逗号、分号、制表符…）</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Lines above the table that are not part of it: a title, notes, blank lines.</source>
            <translation>表格上方不属于表格的行：如标题、备注、空行。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The first line holds column names</source>
            <translation>第一行是列名</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Checked: the first line names the columns and is not imported as data.</source>
            <translation>勾选：第一行是列名，不会作为数据导入。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Whether prices write their cents after a point or a comma</source>
            <translation>价格中的小数部分是写在句点之后还是逗号之后</translation>
        </message>
        <message>
            <location line="+2" />
            <location line="+9" />
            <location line="+45" />
            <source>Automatic</source>
            <translation>自动</translation>
        </message>
        <message>
            <location line="-53" />
            <source>Point (1,234.50)</source>
            <translation>小数点（1,234.50）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Comma (1.234,50)</source>
            <translation>逗号（1.234,50）</translation>
        </message>
        <message>
            <location line="+2" />
            <source>How the file writes its dates, e.g. day first (31/01/2024) or month first (01/31/2024)</source>
            <translation>文件中日期的写法，例如日在前（31/01/2024）或月在前（01/31/2024）</translation>
        </message>
        <message>
            <location line="+11" />
            <source>Format</source>
            <translation>格式</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Text encoding</source>
            <translation>文本编码</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Separator</source>
            <translation>分隔符</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Decimal mark</source>
            <translation>小数符号</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Date order</source>
            <translation>日期顺序</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Lines to skip above the table</source>
            <translation>跳过表格上方的行数</translation>
        </message>
        <message>
            <location line="+30" />
            <source>Automatic ({0})</source>
            <translation>自动（{0}）</translation>
        </message>
        <message>
            <location line="+45" />
            <source>A {0}{1} file — {2}.</source>
            <translation>{0}{1} 文件 — {2}。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>as you chose</source>
            <translation>按您的选择</translation>
        </message>
        <message>
            <location line="+1" />
            <source>decided from the values</source>
            <translation>根据数值判断</translation>
        </message>
        <message>
            <location line="+2" />
            <source>; dates read {0}, {1}</source>
            <translation>；日期按{0}读取，{1}</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Times: {0}.</source>
            <translation>时间：{0}。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Times: not found.</source>
            <translation>时间：未找到。</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Money: {0}.</source>
            <translation>金额：{0}。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>{0} lines above the table are left out.</source>
            <translation>表格上方的 {0} 行已略过。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The first {0:,} rows are shown below.</source>
            <translation>下方显示前 {0:,} 行。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_choose.py" line="-75" />
            <source>The file</source>
            <translation>文件内容</translation>
        </message>
        <message>
            <location line="+1" />
            <source>As IntentLens reads it</source>
            <translation>IntentLens 的解读</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_mapping.py" line="+55" />
            <source>Columns (* required)</source>
            <translation>列（* 为必填）</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Customer *</source>
            <translation>客户 *</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Time *</source>
            <translation>时间 *</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Event type</source>
            <translation>行为类型</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Item</source>
            <translation>商品</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Category</source>
            <translation>类目</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Item name</source>
            <translation>商品名称</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Unit price</source>
            <translation>单价</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Quantity</source>
            <translation>数量</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Amount (line total)</source>
            <translation>金额（行合计）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Session / order</source>
            <translation>会话 / 订单</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Search words</source>
            <translation>搜索词</translation>
        </message>
        <message>
            <location line="+1" />
            <location line="+87" />
            <source>Order status</source>
            <translation>订单状态</translation>
        </message>
        <message>
            <location line="-86" />
            <source>Refunded amount</source>
            <translation>退款金额</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Cancelled at</source>
            <translation>取消时间</translation>
        </message>
        <message>
            <location line="+9" />
            <source>The column of your file that holds “{0}”</source>
            <translation>您文件中存放“{0}”的列</translation>
        </message>
        <message>
            <location line="+32" />
            <source>Event and order-status words (in the first rows)</source>
            <translation>行为词和订单状态词（前几行中）</translation>
        </message>
        <message>
            <location line="+21" />
            <source>No event column. Every line is</source>
            <translation>没有行为列。每一行都是</translation>
        </message>
        <message>
            <location line="+2" />
            <source>What every line of a file without an event column stands for</source>
            <translation>在没有事件列的文件中，每一行代表什么</translation>
        </message>
        <message>
            <location line="+22" />
            <source>Event word</source>
            <translation>行为词</translation>
        </message>
        <message>
            <location line="+17" />
            <source>Not in the first rows: its meaning comes from the last import.</source>
            <translation>不在前几行中：其含义沿用上次导入。</translation>
        </message>
        <message>
            <location line="+10" />
            <source>purchase: the order was paid · refund: paid, then refunded · other: not a purchase (cancelled, unpaid)</source>
            <translation>购买：订单已付款 · 退款：付款后又退款 · 其他：不算购买（已取消、未付款）</translation>
        </message>
        <message>
            <location line="+6" />
            <source>What this word of your file means: view, search, cart, purchase, refund…</source>
            <translation>您文件中这个词的含义：浏览、搜索、加购、购买、退款…</translation>
        </message>
        <message>
            <location line="+16" />
            <source>The order status then says which purchases were refunded or cancelled.</source>
            <translation>订单状态会说明哪些购买被退款或取消。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Choose what every line of this file is (a list of page views: “view”).</source>
            <translation>请选择此文件每一行代表什么（例如页面浏览列表：“浏览”）。</translation>
        </message>
        <message>
            <location line="-94" />
            <location line="+38" />
            <source>In the file</source>
            <translation>文件中</translation>
        </message>
        <message>
            <location line="-37" />
            <source>Rows</source>
            <translation>行数</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Means</source>
            <translation>含义</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_choose.py" line="+18" />
            <source>Replace customer ids by pseudonyms (the key is kept in a file beside the project)</source>
            <translation>用假名替换客户编号（密钥保存在项目旁边的文件中）</translation>
        </message>
        <message>
            <location line="+23" />
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Import</source>
            <translation>导入</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/import_wizard.py" line="+80" />
            <source>Choose your shop's behavior log</source>
            <translation>选择您店铺的行为日志</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_mapping.py" line="-25" />
            <source>— not in this file —</source>
            <translation>— 此文件中没有 —</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_steps.py" line="+47" />
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Importing {0}…</source>
            <translation>正在导入 {0}…</translation>
        </message>
        <message>
            <location line="+9" />
            <source>{0:,} lines read · {1:,} imported · {2:,} rejected · {3:,.0f} lines/s</source>
            <translation>已读取 {0:,} 行 · 已导入 {1:,} 行 · 未导入 {2:,} 行 · 每秒 {3:,.0f} 行</translation>
        </message>
        <message>
            <location line="+10" />
            <source>Cancelling… nothing will be changed.</source>
            <translation>正在取消… 不会做任何更改。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/import_wizard.py" line="+32" />
            <source>The mapping of “{0}” does not fit this file: {1}</source>
            <translation>“{0}”的列对应方式不适用于此文件：{1}</translation>
        </message>
        <message>
            <location line="+154" />
            <source>The import was cancelled. The project is exactly as it was before.</source>
            <translation>导入已取消。项目与之前完全相同。</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Imported before</source>
            <translation>之前已导入</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Import it again anyway?</source>
            <translation>仍要再次导入吗？</translation>
        </message>
        <message>
            <location line="+9" />
            <source>The import failed</source>
            <translation>导入失败</translation>
        </message>
        <message>
            <location line="+1" />
            <source>The import failed and nothing was changed in the project.

{0}</source>
            <translation>导入失败，项目未做任何更改。

{0}</translation>
        </message>
        <message>
            <location line="+28" />
            <source>1 rejected line</source>
            <translation>1 条未导入的行</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0:,} rejected lines</source>
            <translation>{0:,} 条未导入的行</translation>
        </message>
        <message>
            <location line="+15" />
            <source>Saving the rejected lines…</source>
            <translation>正在保存未导入的行…</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_steps.py" line="+19" />
            <source>Rejected lines</source>
            <translation>未导入的行</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Line</source>
            <translation>行号</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Line text</source>
            <translation>行内容</translation>
        </message>
        <message>
            <location line="+13" />
            <source>Save rejected lines…</source>
            <translation>保存未导入的行…</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Imported {0:,} event from {1}</source>
            <translation>已从 {1} 导入 {0:,} 条行为</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Imported {0:,} events from {1}</source>
            <translation>已从 {1} 导入 {0:,} 条行为</translation>
        </message>
        <message>
            <location line="+8" />
            <source>{0:,} line read: {1:,} imported, {2:,} rejected{3}.</source>
            <translation>共读取 {0:,} 行：导入 {1:,} 行，未导入 {2:,} 行{3}。</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0:,} lines read: {1:,} imported, {2:,} rejected{3}.</source>
            <translation>共读取 {0:,} 行：导入 {1:,} 行，未导入 {2:,} 行{3}。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>{0:,} customers ({1:,} new), {2:,} items, {3} to {4}, revenue {5:,.2f}.</source>
            <translation>{0:,} 位客户（{1:,} 位新客户），{2:,} 件商品，{3} 至 {4}，收入 {5:,.2f}。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Events: {0}.</source>
            <translation>行为：{0}。</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0:,} events stored from {1:,} lines: each refunded order also gives a refund event.</source>
            <translation>从 {1:,} 行中存储了 {0:,} 条行为：每个已退款订单还会另记一条退款行为。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Customer ids were replaced by pseudonyms.</source>
            <translation>客户编号已替换为假名。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Took {0:.1f} s.</source>
            <translation>用时 {0:.1f} 秒。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/import_wizard.py" line="-24" />
            <source>Save rejected lines</source>
            <extracomment>The save of rejected lines on the worker (one at a time).</extracomment>
            <translation>保存未导入的行</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/wizard_previous.py" line="+34" />
            <source>Same mapping as last time</source>
            <translation>与上次相同的列对应方式</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Use the columns, event words and options of that import; you can still change anything below.</source>
            <translation>沿用那次导入的列、行为词和选项；您仍可在下方修改任何设置。</translation>
        </message>
        <message>
            <location line="+13" />
            <source>A file of this kind was imported before (“{0}”, {1}). Map this one the same way?</source>
            <translation>之前导入过同类文件（“{0}”，{1}）。要按同样方式对应此文件吗？</translation>
        </message>
        <message>
            <location line="+10" />
            <source>✓ Mapped as the last import of this kind (“{0}”, {1}). Change anything below if this file differs.</source>
            <translation>✓ 已按上次同类导入（“{0}”，{1}）对应各列。如果此文件有所不同，请在下方修改。</translation>
        </message>
        <message>
            <source>Behavior logs (*.csv *.tsv *.txt *.gz *.zip *.jsonl *.json);;All files (*)</source>
            <translation>行为日志 (*.csv *.tsv *.txt *.gz *.zip *.jsonl *.json);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Comma ,</source>
            <translation>逗号 ,</translation>
        </message>
        <message>
            <source>Tab</source>
            <translation>制表符</translation>
        </message>
        <message>
            <source>Semicolon ;</source>
            <translation>分号 ;</translation>
        </message>
        <message>
            <source>Pipe |</source>
            <translation>竖线 |</translation>
        </message>
        <message>
            <source>Spaces (aligned columns)</source>
            <translation>空格（对齐的列）</translation>
        </message>
        <message>
            <source>Day-month-year</source>
            <translation>日-月-年</translation>
        </message>
        <message>
            <source>Month-day-year</source>
            <translation>月-日-年</translation>
        </message>
        <message>
            <source>Year-month-day</source>
            <translation>年-月-日</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Opening…</source>
            <translation>正在打开…</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/main_window.py" line="+80" />
            <source>Data</source>
            <translation>数据</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Train</source>
            <translation>训练</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Campaign</source>
            <translation>营销活动</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Forecast</source>
            <translation>预测</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <location line="+40" />
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <location line="+1" />
            <source>&amp;New project…</source>
            <translation>新建项目(&amp;N)…</translation>
        </message>
        <message>
            <location line="+3" />
            <source>&amp;Open project…</source>
            <translation>打开项目(&amp;O)…</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Open &amp;recent</source>
            <translation>最近的项目(&amp;R)</translation>
        </message>
        <message>
            <location line="+2" />
            <source>&amp;Connect to a database server…</source>
            <translation>连接到数据库服务器(&amp;C)…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>&amp;Import a file…</source>
            <translation>导入文件(&amp;I)…</translation>
        </message>
        <message>
            <location line="+4" />
            <source>&amp;Export…</source>
            <translation>导出(&amp;E)…</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Export &amp;rejected lines…</source>
            <translation>导出未导入的行(&amp;R)…</translation>
        </message>
        <message>
            <location line="+4" />
            <source>&amp;Project report…</source>
            <translation>项目报告(&amp;P)…</translation>
        </message>
        <message>
            <location line="+3" />
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <location line="+4" />
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <location line="+21" />
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <location line="+1" />
            <source>&amp;Guide to this page</source>
            <translation>本页指南(&amp;G)</translation>
        </message>
        <message>
            <location line="+3" />
            <source>What do these &amp;numbers mean?</source>
            <translation>这些数字是什么意思(&amp;N)？</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Take the &amp;tour</source>
            <translation>参加导览(&amp;T)</translation>
        </message>
        <message>
            <location line="+2" />
            <source>&amp;About IntentLens</source>
            <translation>关于 IntentLens(&amp;A)</translation>
        </message>
        <message>
            <location line="+52" />
            <source>&amp;Go</source>
            <translation>转到(&amp;G)</translation>
        </message>
        <message>
            <location line="+10" />
            <source>&amp;Find…</source>
            <translation>查找(&amp;F)…</translation>
        </message>
        <message>
            <location line="+40" />
            <source>Nothing to export on this page.</source>
            <translation>此页面没有可导出的内容。</translation>
        </message>
        <message>
            <location line="+14" />
            <source>The language changes when IntentLens starts again.</source>
            <translation>重新启动 IntentLens 后将切换语言。</translation>
        </message>
        <message>
            <location line="+16" />
            <source>(none yet)</source>
            <translation>（暂无）</translation>
        </message>
        <message>
            <location line="+5" />
            <source>About IntentLens</source>
            <translation>关于 IntentLens</translation>
        </message>
        <message>
            <location line="+2" />
            <source>IntentLens learns from your shop's behavior log which customers are about to buy, what kinds of customers you have and what to offer them. Everything runs on this computer: your data never leaves it.</source>
            <translation>IntentLens 从您店铺的行为日志中学习：哪些客户即将购买、您有哪些类型的客户、该向他们推荐什么。一切都在这台电脑上运行：您的数据绝不会离开它。</translation>
        </message>
        <message>
            <location line="+19" />
            <location line="+36" />
            <source>Wait until the running training or import ends (or stop it) first.</source>
            <translation>请等待正在进行的训练或导入结束（或先停止它）。</translation>
        </message>
        <message>
            <location line="-30" />
            <source>Cannot open the project</source>
            <translation>无法打开项目</translation>
        </message>
        <message>
            <location line="+29" />
            <location line="+6" />
            <location line="+9" />
            <source>New project</source>
            <translation>新建项目</translation>
        </message>
        <message>
            <location line="+1" />
            <source>“{0}” already exists: choose another name.</source>
            <translation>“{0}”已存在：请换一个名称。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Cannot create the project</source>
            <translation>无法创建项目</translation>
        </message>
        <message>
            <location line="+69" />
            <source>This is the demo project, full of generated customers. Import your shop's file into a new project of its own?</source>
            <translation>这是演示项目，里面都是生成的客户。要把您店铺的文件导入到一个单独的新项目中吗？</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Mixed with the demo's customers, every number and model would describe neither.</source>
            <translation>如果与演示客户混在一起，所有数字和模型都将既不反映演示数据，也不反映您的数据。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>New project for my data…</source>
            <translation>为我的数据新建项目…</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Add it to the demo</source>
            <translation>添加到演示项目</translation>
        </message>
        <message>
            <location line="+26" />
            <source>1 rejected line</source>
            <translation>1 条未导入的行</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0:,} rejected lines</source>
            <translation>{0:,} 条未导入的行</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Saving the rejected lines…</source>
            <translation>正在保存未导入的行…</translation>
        </message>
        <message>
            <location line="+21" />
            <source>Training is running</source>
            <translation>正在训练</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Stop training and quit? The best model so far is kept.</source>
            <translation>停止训练并退出吗？目前最好的模型会被保留。</translation>
        </message>
        <message>
            <location line="-187" />
            <location line="+76" />
            <source>Open project</source>
            <translation>打开项目</translation>
        </message>
        <message>
            <location line="+10" />
            <location line="+5" />
            <location line="+34" />
            <source>Import</source>
            <translation>导入</translation>
        </message>
        <message>
            <location line="-39" />
            <source>Open or create a project first.</source>
            <translation>请先打开或新建一个项目。</translation>
        </message>
        <message>
            <location line="+64" />
            <source>Export rejected lines</source>
            <extracomment>The export of rejected lines on the worker (one at a time).</extracomment>
            <translation>导出未导入的行</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/app.py" line="-59" />
            <source>Something went wrong, but your project is safe: every change is saved in one step or not at all.</source>
            <extracomment>The package that ships the icon and the translations as package data (``resources/``).</extracomment>
            <translation>出错了，但您的项目是安全的：每次更改要么完整保存，要么完全不保存。</translation>
        </message>
        <message>
            <source>IntentLens projects (*.intentlens);;All files (*)</source>
            <translation>IntentLens 项目 (*.intentlens);;所有文件 (*)</translation>
        </message>
    </context>
    <context>
        <name>MoversModel</name>
        <message>
            <location filename="../../work/main/gui/pages/forecast_views.py" line="+81" />
            <source>week</source>
            <extracomment>The movers table's columns, in order.</extracomment>
            <translation>周</translation>
        </message>
        <message>
            <location line="+72" />
            <source>new</source>
            <translation>新</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Units sold per {0} over the latest periods (refunds subtracted).</source>
            <translation>最近几个周期每{0}的销量（已扣除退款）。</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Units expected per {0} over the forecast (the P50).</source>
            <translation>预测期内每{0}的预计销量（P50）。</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Expected compared with recent; “new” when nothing sold recently.</source>
            <translation>预计与近期相比的变化；近期无销售时显示“新”。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Units that cover demand of the next {0} weeks in 9 cases out of 10 (the P90), rounded up.</source>
            <translation>10 次中有 9 次能满足未来 {0} 周需求的件数（P90），向上取整。</translation>
        </message>
        <message>
            <location line="+18" />
            <source>Item</source>
            <translation>商品</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Category</source>
            <translation>类目</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Recent per {0}</source>
            <translation>近期每{0}</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Expected per {0}</source>
            <translation>预计每{0}</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Change</source>
            <translation>变化</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Stock to cover {0} weeks (P90)</source>
            <translation>备货 {0} 周（P90）</translation>
        </message>
    </context>
    <context>
        <name>PlanFigures</name>
        <message>
            <location filename="../../work/main/gui/pages/campaign_views.py" line="+29" />
            <source>customers contacted</source>
            <extracomment>The profit curve's colours: the curve, the list chosen, the best cut. Where a marker's words sit: beside the line (never on it), on the side with more room.</extracomment>
            <translation>联系的客户</translation>
        </message>
        <message>
            <location line="+1" />
            <source>expected buyers reached</source>
            <translation>预计触达的买家</translation>
        </message>
        <message>
            <location line="+1" />
            <source>will probably not buy</source>
            <translation>可能不会购买</translation>
        </message>
        <message>
            <location line="+1" />
            <source>expected revenue</source>
            <translation>预计收入</translation>
        </message>
        <message>
            <location line="+1" />
            <source>expected profit</source>
            <translation>预计利润</translation>
        </message>
        <message>
            <location line="+12" />
            <source>The sum of the contacted customers' chances to buy: {0}</source>
            <translation>所联系客户的购买概率之和：{0}</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Contacts that will probably not buy, and still cost: {0}</source>
            <translation>可能不会购买但仍有成本的联系：{0}</translation>
        </message>
    </context>
    <context>
        <name>ProfitCurve</name>
        <message>
            <location line="+23" />
            <source>Expected profit by list size</source>
            <translation>不同名单人数的预计利润</translation>
        </message>
        <message>
            <location line="+1" />
            <source>customers contacted (best first)</source>
            <translation>联系的客户数（最有价值的在前）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>expected profit</source>
            <translation>预计利润</translation>
        </message>
        <message>
            <location line="+6" />
            <source>best cut</source>
            <translation>最佳人数</translation>
        </message>
        <message>
            <location line="+5" />
            <source>your list</source>
            <translation>您的名单</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Drag to choose how many to contact</source>
            <translation>拖动来选择联系多少位客户</translation>
        </message>
    </context>
    <context>
        <name>SegmentsPage</name>
        <message>
            <location filename="../../work/main/gui/pages/segments_page.py" line="+57" />
            <source>Customer segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Export this segment…</source>
            <translation>导出此分群…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Export all…</source>
            <translation>全部导出…</translation>
        </message>
        <message>
            <location line="+18" />
            <location line="+68" />
            <source>Open a project to see its customer segments.</source>
            <translation>打开项目以查看其客户分群。</translation>
        </message>
        <message>
            <location line="-60" />
            <source>Segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segment_views.py" line="+82" />
            <source>Segment</source>
            <extracomment>A hover or click finds the nearest point within this many pixels. Not a "segment vs all customers" number (its overall value is the segment's share of customers); the list and the description already show it.</extracomment>
            <translation>分群</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Share</source>
            <translation>占比</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Revenue</source>
            <translation>收入</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Intent</source>
            <translation>意向</translation>
        </message>
        <message>
            <location line="+19" />
            <source>Customers in the segment</source>
            <translation>该分群中的客户数</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Share of all customers</source>
            <translation>占全部客户的比例</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Share of all revenue (refunds subtracted)</source>
            <translation>占全部收入的比例（已扣除退款）</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Average purchase intent of the segment's customers (how likely they are to buy, as on the Customers page), from the active purchase-intent model</source>
            <translation>该分群客户的平均购买意向（购买的可能性，与“客户”页相同），来自当前使用的购买意向模型</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segments_page.py" line="+26" />
            <source>Customer map</source>
            <translation>客户地图</translation>
        </message>
        <message>
            <location line="+36" />
            <source>Reading the segments…</source>
            <translation>正在读取分群…</translation>
        </message>
        <message>
            <location line="+6" />
            <source>The segments could not be read: {0}</source>
            <translation>无法读取分群：{0}</translation>
        </message>
        <message>
            <location line="+35" />
            <source>No customer segments yet.

Train customer profiles on the Train page (choose “Customer profiles &amp; segments” and press Start). The segments appear here when training ends.</source>
            <translation>还没有客户分群。

请在“训练”页训练客户画像（选择“客户画像与分群”并点击“开始训练”）。训练结束后分群会显示在这里。</translation>
        </message>
        <message>
            <location line="+19" />
            <source>Showing a random sample of {0:,} of {1:,} customers.</source>
            <translation>随机显示 {1:,} 位客户中的 {0:,} 位。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>All {0:,} customers.</source>
            <translation>全部 {0:,} 位客户。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>Customers with similar behavior are close together; point at one to see who it is, click to open the customer.</source>
            <translation>行为相似的客户彼此靠近；将鼠标指向某个点可查看是谁，点击可打开该客户。</translation>
        </message>
        <message>
            <location line="+5" />
            <location line="+63" />
            <source>Select a segment to see what sets it apart.</source>
            <translation>选择一个分群，查看它的独特之处。</translation>
        </message>
        <message>
            <location line="+64" />
            <source>{0:,} customers</source>
            <translation>{0:,} 位客户</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segment_words.py" line="+28" />
            <source>k-means on the behavior features</source>
            <translation>基于行为特征的 k-means 聚类</translation>
        </message>
        <message>
            <location line="+1" />
            <source>k-means on the customer profiles learned by the autoencoder</source>
            <translation>基于自编码器所学客户画像的 k-means 聚类</translation>
        </message>
        <message>
            <location line="+5" />
            <source>the plain behavior features</source>
            <translation>单纯的行为特征</translation>
        </message>
        <message>
            <location line="+1" />
            <source>the autoencoder profiles</source>
            <translation>自编码器画像</translation>
        </message>
        <message>
            <location line="+6" />
            <source> (chosen in the settings)</source>
            <translation>（在设置中选定）</translation>
        </message>
        <message>
            <location line="+4" />
            <source> (more stable than {0} here: {1:.2f} vs {2:.2f})</source>
            <translation>（此处比{0}更稳定：{1:.2f} 对 {2:.2f}）</translation>
        </message>
        <message>
            <location line="+4" />
            <source> (as stable as {0} here, {1:.2f} vs {2:.2f}, and better separated: silhouette {3:.2f} vs {4:.2f})</source>
            <translation>（此处与{0}同样稳定，{1:.2f} 对 {2:.2f}，且区分更清楚：轮廓系数 {3:.2f} 对 {4:.2f}）</translation>
        </message>
        <message>
            <location line="+10" />
            <source>very stable: a second training puts nearly everyone in the same segment</source>
            <translation>非常稳定：再训练一次，几乎每位客户都会分到同一分群</translation>
        </message>
        <message>
            <location line="+5" />
            <source>fairly stable: a second training moves some customers</source>
            <translation>比较稳定：再训练一次，会有部分客户换到别的分群</translation>
        </message>
        <message>
            <location line="+4" />
            <source>unstable: a second training moves many customers, so treat the borders loosely</source>
            <translation>不稳定：再训练一次，许多客户会换分群，因此分群边界仅供参考</translation>
        </message>
        <message>
            <location line="+5" />
            <source>clearly apart</source>
            <translation>界限分明</translation>
        </message>
        <message>
            <location line="+2" />
            <source>apart, with some overlap at the edges</source>
            <translation>基本分开，边缘有些重叠</translation>
        </message>
        <message>
            <location line="+2" />
            <source>overlapping: the borders between them are soft</source>
            <translation>相互重叠：彼此边界较模糊</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Segments found by {0}{1}. Stability {2:.2f} (1 = identical): {3}. Silhouette {4:.2f} (-1 to 1): the segments are {5}.</source>
            <translation>分群方法：{0}{1}。稳定性 {2:.2f}（1 = 完全一致）：{3}。轮廓系数 {4:.2f}（-1 到 1）：各分群{5}。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>{0:,} customers, behavior up to {1}.</source>
            <translation>{0:,} 位客户，行为截至 {1}。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Average intent appears once a purchase-intent model is trained (then train the profiles again).</source>
            <translation>训练好购买意向模型后（再重新训练客户画像），这里会显示平均意向。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segments_page.py" line="-99" />
            <source>Customer {0} · {1}</source>
            <translation>客户 {0} · {1}</translation>
        </message>
        <message>
            <location line="+18" />
            <source>Selected: {0}</source>
            <translation>已选：{0}</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segment_words.py" line="+20" />
            <source>Most bought: {0}</source>
            <translation>购买最多：{0}</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segment_views.py" line="+91" />
            <source>&lt;span style='color:{0}'&gt;■&lt;/span&gt; this segment &amp;nbsp; &lt;span style='color:{1}'&gt;■&lt;/span&gt; all customers</source>
            <translation>&lt;span style='color:{0}'&gt;■&lt;/span&gt; 此分群 &amp;nbsp; &lt;span style='color:{1}'&gt;■&lt;/span&gt; 全部客户</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/pages/segments_page.py" line="+68" />
            <source>Export customers and segments</source>
            <translation>导出客户和分群</translation>
        </message>
        <message>
            <location line="+18" />
            <source>Export</source>
            <translation>导出</translation>
        </message>
    </context>
    <context>
        <name>SeriesPicker</name>
        <message>
            <location filename="../../work/main/gui/pages/forecast_picker.py" line="+30" />
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <location line="+9" />
            <source>The whole shop, a category or an item: type part of a name or an item number to find it</source>
            <translation>全店、某个品类或某件商品：输入名称的一部分或商品编号即可查找</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Type to find a category or item</source>
            <translation>输入以查找品类或商品</translation>
        </message>
        <message>
            <location line="+11" />
            <source>Units</source>
            <translation>件数</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Revenue</source>
            <translation>收入</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Units sold: purchased minus refunded</source>
            <translation>销量：购买数减去退款数</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Revenue: what was paid, refunds subtracted</source>
            <translation>销售额：实付金额，已扣除退款</translation>
        </message>
        <message>
            <location line="+24" />
            <source>Category: {0}</source>
            <translation>品类：{0}</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Item: {0}</source>
            <translation>商品：{0}</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Whole shop</source>
            <translation>全店</translation>
        </message>
    </context>
    <context>
        <name>ServerDialog</name>
        <message>
            <location filename="../../work/main/gui/server_dialog.py" line="+30" />
            <source>Connect to a database server</source>
            <extracomment>What an address looks like (shown in the empty address field).</extracomment>
            <translation>连接到数据库服务器</translation>
        </message>
        <message>
            <location line="+4" />
            <source>A shop that outgrows one project file can keep its project in a PostgreSQL database. Give the database's address; in an empty database IntentLens creates its tables.</source>
            <translation>数据量超出单个项目文件的店铺，可以把项目放在 PostgreSQL 数据库中。请填写数据库的地址；在空数据库中，IntentLens 会自动创建它需要的表。</translation>
        </message>
        <message>
            <location line="+13" />
            <source>only if the server asks for one</source>
            <translation>仅当服务器要求时填写</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Address:</source>
            <translation>地址：</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Password:</source>
            <translation>密码：</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Connect</source>
            <translation>连接</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <location filename="../../work/main/gui/settings_dialog.py" line="+51" />
            <source>Settings</source>
            <extracomment>Each language is named in its own words, so whoever reads the list finds theirs.</extracomment>
            <translation>设置</translation>
        </message>
        <message>
            <location line="+4" />
            <source>System (default)</source>
            <translation>跟随系统（默认）</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The language of every window, and how dates and numbers are written. “System” follows this computer's language.</source>
            <translation>所有窗口使用的语言，以及日期和数字的写法。“系统”表示跟随这台电脑的语言。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>The language changes when IntentLens starts again.</source>
            <translation>重新启动 IntentLens 后将切换语言。</translation>
        </message>
        <message>
            <location line="+9" />
            <source>The sign or code shown with amounts in this project, such as $ or EUR; empty shows plain numbers.</source>
            <translation>本项目中金额旁显示的符号或代码，例如 ¥ 或 CNY；留空则只显示数字。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>e.g. {0} or {1}</source>
            <translation>例如 {0} 或 {1}</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Open a project to set the currency of its amounts.</source>
            <translation>打开一个项目后即可设置其金额所用的货币。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>This project is read-only: its currency cannot be changed.</source>
            <translation>此项目为只读：无法更改其货币。</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Amounts in this project are shown with this sign or code. The first import whose prices show one sets it; leave it empty to show plain numbers.</source>
            <translation>此项目中的金额将带上这个货币符号或代码显示。第一次导入的价格中带有货币符号时会自动设置；留空则只显示数字。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Shop currency</source>
            <translation>店铺货币</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Language and formats</source>
            <translation>语言和格式</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Dates, numbers and money follow the chosen language and this computer's region.</source>
            <translation>日期、数字和金额按所选语言及本机所在地区的习惯书写。</translation>
        </message>
    </context>
    <context>
        <name>Tour</name>
        <message>
            <location filename="../../work/main/gui/tour.py" line="+40" />
            <source>1. Your data at a glance</source>
            <translation>1. 一眼看清您的数据</translation>
        </message>
        <message>
            <location line="+0" />
            <source>This is the demo shop: made-up customers with half a year of visits, searches and purchases. The Data page shows what a project holds. When you are ready, press “Import a file…” to bring in your own shop's file; it gets a project of its own.</source>
            <translation>这是演示商店：虚构的客户和他们半年的浏览、搜索和购买记录。“数据”页面显示一个项目里有什么。准备好后，点击“导入文件…”导入您自己商店的文件；它会有一个单独的项目。</translation>
        </message>
        <message>
            <location line="+6" />
            <source>2. Train the models with one click</source>
            <translation>2. 一键训练模型</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Nothing is trained in the demo yet. Choose what to learn (start with “Purchase intent”) and press “Start training”: the curves show the model learning, live, and a few plain sentences then say how good it is.</source>
            <translation>演示项目中还没有训练任何模型。选择要学习的内容（先从“购买意向”开始），然后点击“开始训练”：曲线会实时显示模型的学习过程，随后几句通俗的话会告诉您它有多好。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>3. Who is about to buy, and why</source>
            <translation>3. 谁快要购买，为什么</translation>
        </message>
        <message>
            <location line="+0" />
            <source>After training, the customers most likely to buy come first. Click a customer to open their card: how likely they are to buy, the recent events behind it and what to offer them.</source>
            <translation>训练之后，最可能购买的客户排在最前面。点击客户打开其卡片：购买的可能性有多大、背后的近期事件，以及可以推荐什么。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>4. Whom to contact</source>
            <translation>4. 联系谁</translation>
        </message>
        <message>
            <location line="+0" />
            <source>With a purchase-intent model trained, choose who may be on the list and what a sale brings you; IntentLens suggests how many customers to contact for the most profit. “Export list…” saves the list, with what to offer each customer, for Excel. Help → Guide to this page (F1) explains any page.</source>
            <translation>训练好购买意向模型后，选择哪些人可以进入名单以及一笔销售能给您带来多少；IntentLens 会建议联系多少位客户能获得最多利润。“导出名单…”会保存名单及给每位客户的推荐，供 Excel 使用。“帮助 → 本页指南”（F1）可以解释任何页面。</translation>
        </message>
        <message>
            <location line="+22" />
            <source>Welcome to IntentLens</source>
            <translation>欢迎使用 IntentLens</translation>
        </message>
        <message>
            <location line="+12" />
            <source>Skip tour</source>
            <translation>跳过导览</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Close the tour; Help → Take the tour shows it again</source>
            <translation>关闭导览；“帮助 → 参加导览”可以再次打开</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Back</source>
            <translation>上一步</translation>
        </message>
        <message>
            <location line="+1" />
            <location line="+31" />
            <source>Next</source>
            <translation>下一步</translation>
        </message>
        <message>
            <location line="-5" />
            <source>Step {0} of {1}</source>
            <translation>第 {0} 步，共 {1} 步</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Finish</source>
            <translation>完成</translation>
        </message>
    </context>
    <context>
        <name>TrainPage</name>
        <message>
            <location filename="../../work/main/gui/pages/train_page.py" line="+98" />
            <source>Train a model</source>
            <translation>训练模型</translation>
        </message>
        <message>
            <location line="+9" />
            <source>What to learn</source>
            <translation>学习目标</translation>
        </message>
        <message>
            <location line="+28" />
            <source>Start training</source>
            <translation>开始训练</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <location line="+8" />
            <location line="+95" />
            <location line="+104" />
            <source>Choose what to learn and press Start.</source>
            <translation>选择学习目标，然后点击“开始训练”。</translation>
        </message>
        <message>
            <location line="-266" />
            <location line="+456" />
            <source>No training yet.</source>
            <translation>尚未训练。</translation>
        </message>
        <message>
            <location line="-431" />
            <source>The question the model answers: who is about to buy, what kinds of customers you have, what to offer, what customers will spend, or how much you will sell.</source>
            <translation>模型要回答的问题：谁快要购买、您有哪些类型的客户、推荐什么、客户会花多少钱，或者您能卖多少。</translation>
        </message>
        <message>
            <location line="+26" />
            <source>Start from the current model</source>
            <translation>从当前模型开始</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Faster after new data: training continues from the active model's weights instead of from scratch.</source>
            <translation>有新数据后更快：训练从当前启用模型的权重继续，而不是从头开始。</translation>
        </message>
        <message>
            <location line="+83" />
            <source>Reading the project…</source>
            <translation>正在读取项目…</translation>
        </message>
        <message>
            <location line="+25" />
            <source>Import data first: there is nothing to learn from yet.</source>
            <translation>请先导入数据：目前还没有可学习的内容。</translation>
        </message>
        <message>
            <location line="+31" />
            <source>Nothing trained yet for “{0}”: press Start training.</source>
            <translation>“{0}”还没有训练过：请按“开始训练”。</translation>
        </message>
        <message>
            <location line="+56" />
            <source>Checking whether the data is enough…</source>
            <translation>正在检查数据是否足够…</translation>
        </message>
        <message>
            <location line="+17" />
            <source>Start is off until the data is enough for these settings (see ⚠).</source>
            <translation>数据足以支持这些设置之前，“开始”按钮不可用（见 ⚠）。</translation>
        </message>
        <message>
            <location line="+7" />
            <source>What the data holds for this task with these settings, checked before training.</source>
            <translation>按这些设置，数据对该任务能提供什么，在训练前检查。</translation>
        </message>
        <message>
            <location line="+5" />
            <source>The data could not be checked: {0}</source>
            <translation>无法检查数据：{0}</translation>
        </message>
        <message>
            <location line="+42" />
            <source>Preparing the training data…</source>
            <translation>正在准备训练数据…</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Training runs in the background; the window stays usable.</source>
            <translation>训练在后台进行；窗口仍可正常使用。</translation>
        </message>
        <message>
            <location line="+9" />
            <source>Stop training</source>
            <translation>停止训练</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Stop training now and keep the best model found so far?</source>
            <translation>现在停止训练，并保留目前找到的最好模型吗？</translation>
        </message>
        <message>
            <location line="+13" />
            <source>Stopping after the current batch…</source>
            <translation>将在当前批次结束后停止…</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Saved as run {0}; it is now the active model.</source>
            <translation>已保存为第 {0} 次训练；现在是当前使用的模型。</translation>
        </message>
        <message>
            <location line="+42" />
            <source>Training did not run.</source>
            <translation>训练未能运行。</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Training</source>
            <translation>训练</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Stopped.</source>
            <translation>已停止。</translation>
        </message>
        <message>
            <location line="+29" />
            <source>Run {0} from {1}</source>
            <translation>第 {0} 次训练，{1}</translation>
        </message>
        <message>
            <location line="+16" />
            <source>Run {0} is now the active model.</source>
            <translation>第 {0} 次训练现在是当前使用的模型。</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/tasks/curves.py" line="+26" />
            <source>Preparing the training data: {0}</source>
            <translation>正在准备训练数据：{0}</translation>
        </message>
        <message>
            <location line="+3" />
            <location line="+11" />
            <source> · elapsed {0} · about {1} left</source>
            <translation> · 已用 {0} · 约剩 {1}</translation>
        </message>
        <message>
            <location line="-8" />
            <source>Epoch {0}: batch {1:,} of {2:,}</source>
            <translation>第 {0} 轮：第 {1:,} / {2:,} 批</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Epoch {0} of at most {1}</source>
            <translation>第 {0} 轮，最多 {1} 轮</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Final fit on all periods: epoch {0} of {1}</source>
            <translation>在全部时段上最终拟合：第 {0} / {1} 轮</translation>
        </message>
        <message>
            <location line="+35" />
            <source>Loss (lower is better)</source>
            <translation>损失（越低越好）</translation>
        </message>
        <message>
            <location line="+1" />
            <location line="+12" />
            <location line="+43" />
            <location line="+37" />
            <source>epoch</source>
            <extracomment>Per-epoch points by loss name ("train", "valid") and by metric name.</extracomment>
            <translation>轮次</translation>
        </message>
        <message>
            <location line="-89" />
            <source>training (smoothed)</source>
            <translation>训练（平滑）</translation>
        </message>
        <message>
            <location line="+5" />
            <source>training (per epoch)</source>
            <translation>训练（每轮）</translation>
        </message>
        <message>
            <location line="+1" />
            <source>validation</source>
            <translation>验证</translation>
        </message>
        <message>
            <location line="+63" />
            <location line="+20" />
            <source>step</source>
            <translation>步骤</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/tasks/form.py" line="+100" />
            <source>item ids, one a line or separated by commas</source>
            <extracomment>Qt's spin boxes hold 32-bit ints: wider ranges (a seed up to 2**32 - 1) are cut to this. Whole-number settings with a special word and at most this many values more are a list. First cells of a file's first row that name its column rather than hold an item id.</extracomment>
            <translation>商品编号，每行一个或用逗号分隔</translation>
        </message>
        <message>
            <location line="+7" />
            <source>Load from file…</source>
            <translation>从文件载入…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Fill the box from a CSV or text file: its first column is read, one item id per line (a header such as “item_id” is skipped). Replaces what the box holds.</source>
            <translation>从 CSV 或文本文件填入此框：读取第一列，每行一个商品编号（“item_id”之类的表头会跳过）。会替换框中已有的内容。</translation>
        </message>
        <message>
            <location line="+13" />
            <source>Load item ids</source>
            <translation>载入商品编号</translation>
        </message>
        <message>
            <location line="+0" />
            <source>CSV or text files (*.csv *.txt);;All files (*)</source>
            <translation>CSV 或文本文件 (*.csv *.txt);;所有文件 (*)</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Could not read “{0}”: {1}</source>
            <translation>无法读取“{0}”：{1}</translation>
        </message>
        <message>
            <location line="+45" />
            <source>Advanced settings</source>
            <translation>高级设置</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Show the finer settings. They are used only while this box is checked; unchecked, IntentLens chooses them for you.</source>
            <translation>显示更细的设置。只有勾选此框时才使用这些设置；不勾选时，由 IntentLens 为您选择。</translation>
        </message>
        <message>
            <location line="+117" />
            <source>all categories</source>
            <translation>所有品类</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/tasks/history.py" line="+38" />
            <source>{0} min {1:02d} s</source>
            <translation>{0} 分 {1:02d} 秒</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{0} s</source>
            <translation>{0} 秒</translation>
        </message>
        <message>
            <location line="+17" />
            <source>Run history</source>
            <translation>训练记录</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Run</source>
            <translation>编号</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Task</source>
            <translation>任务</translation>
        </message>
        <message>
            <location line="+0" />
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Result</source>
            <translation>结果</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Took</source>
            <translation>用时</translation>
        </message>
        <message>
            <location line="+14" />
            <source>Show run</source>
            <translation>查看记录</translation>
        </message>
        <message>
            <location line="+2" />
            <location line="+31" />
            <source>Use this model</source>
            <translation>使用此模型</translation>
        </message>
        <message>
            <location filename="../../work/main/gui/tasks/intent.py" line="+34" />
            <source>What makes customers buy here</source>
            <translation>客户在这里购买的原因</translation>
        </message>
        <message>
            <location line="+10" />
            <source>Validation AUC (higher is better)</source>
            <translation>验证 AUC（越高越好）</translation>
        </message>
        <message>
            <source>As of</source>
            <translation>截至日期</translation>
        </message>
        <message>
            <source>score as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>按此日期评分（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>Buys within</source>
            <translation>购买期限</translation>
        </message>
        <message>
            <source>days ahead, 1 to 365 (default: from the data, at most 30)</source>
            <translation>向后预测的天数，1 到 365（默认：根据数据决定，最多 30）</translation>
        </message>
        <message>
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>Preset</source>
            <translation>预设</translation>
        </message>
        <message>
            <source>how long and how carefully to train</source>
            <translation>训练的时长和细致程度</translation>
        </message>
        <message>
            <source>Fast</source>
            <translation>快速</translation>
        </message>
        <message>
            <source>Balanced</source>
            <translation>均衡</translation>
        </message>
        <message>
            <source>Thorough</source>
            <translation>精细</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>训练轮数</translation>
        </message>
        <message>
            <source>epochs at most, 1 to 1000 (default: from the preset)</source>
            <translation>最多训练轮数，1 到 1000（默认：取自预设）</translation>
        </message>
        <message>
            <source>Batch size</source>
            <translation>批大小</translation>
        </message>
        <message>
            <source>customers per training step (default: from the preset)</source>
            <translation>每个训练步的客户数（默认：取自预设）</translation>
        </message>
        <message>
            <source>Learning rate</source>
            <translation>学习率</translation>
        </message>
        <message>
            <source>step size of the optimizer (default: from the preset)</source>
            <translation>优化器的步长（默认：取自预设）</translation>
        </message>
        <message>
            <source>Hidden size</source>
            <translation>隐藏层大小</translation>
        </message>
        <message>
            <source>size of the network's memory (default: from the preset)</source>
            <translation>网络记忆的容量（默认：取自预设）</translation>
        </message>
        <message>
            <source>Events per customer</source>
            <translation>每位客户的行为数</translation>
        </message>
        <message>
            <source>the latest events of each customer the network reads (default: from the preset)</source>
            <translation>网络读取每位客户最近多少条行为（默认：取自预设）</translation>
        </message>
        <message>
            <source>Dropout</source>
            <translation>随机丢弃率 (Dropout)</translation>
        </message>
        <message>
            <source>share of the network switched off at random while training</source>
            <translation>训练时随机关闭的网络比例</translation>
        </message>
        <message>
            <source>Weight decay</source>
            <translation>权重衰减</translation>
        </message>
        <message>
            <source>how strongly large weights are held back</source>
            <translation>对过大权重的抑制强度</translation>
        </message>
        <message>
            <source>Network</source>
            <translation>网络类型</translation>
        </message>
        <message>
            <source>the kind of recurrent network</source>
            <translation>循环神经网络的类型</translation>
        </message>
        <message>
            <source>LSTM</source>
            <translation>LSTM</translation>
        </message>
        <message>
            <source>GRU</source>
            <translation>GRU</translation>
        </message>
        <message>
            <source>Models averaged</source>
            <translation>平均的模型数</translation>
        </message>
        <message>
            <source>train this many models from different random starts and average their scores; steadier, takes that many times longer (default: from the preset)</source>
            <translation>从不同的随机起点训练这么多个模型并取其分数的平均值；结果更稳定，但耗时也相应成倍增加（默认：由预设决定）</translation>
        </message>
        <message>
            <source>Contact the top</source>
            <translation>联系评分前</translation>
        </message>
        <message>
            <source>who counts as 'will buy': the best-F1 threshold, or the top X% of scores</source>
            <translation>哪些客户算作“会购买”：按最佳 F1 阈值，或评分最高的前 X%</translation>
        </message>
        <message>
            <source>%</source>
            <translation>%</translation>
        </message>
        <message>
            <source>best F1</source>
            <translation>最佳 F1</translation>
        </message>
        <message>
            <source>Always use the deep model</source>
            <translation>始终使用深度模型</translation>
        </message>
        <message>
            <source>score customers with the deep model even when a simple method ranks buyers as well (by default the best simple method then serves the scores)</source>
            <translation>即使简单方法对买家的排序同样准确，也用深度模型为客户打分（默认情况下此时由最佳简单方法提供分数）</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>随机种子</translation>
        </message>
        <message>
            <source>the random start; the same seed repeats a run</source>
            <translation>随机起点；相同的种子可重现同一次训练</translation>
        </message>
        <message>
            <source>profile customers as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>按此日期为客户建立画像（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>Segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <source>how many segments (2 to 12), or auto to let the data decide (default)</source>
            <translation>分群数量（2 到 12），或选“自动”由数据决定（默认）</translation>
        </message>
        <message>
            <source>auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <source>autoencoder epochs at most, 1 to 1000 (default 60)</source>
            <translation>自编码器最多训练轮数，1 到 1000（默认 60）</translation>
        </message>
        <message>
            <source>recommend as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>以此日期为准进行推荐（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>未来</translation>
        </message>
        <message>
            <source>the days ahead a recommendation is for, 1 to 365 (default: from the data, at most 30)</source>
            <translation>推荐所针对的未来天数，1 到 365（默认：根据数据，最多 30）</translation>
        </message>
        <message>
            <source>how long and how carefully to train the sequence model</source>
            <translation>序列模型训练多久、多仔细</translation>
        </message>
        <message>
            <source>Items per customer</source>
            <translation>每位客户的商品数</translation>
        </message>
        <message>
            <source>how many items each customer gets, 1 to 100</source>
            <translation>每位客户得到多少件商品，1 到 100</translation>
        </message>
        <message>
            <source>Already bought</source>
            <translation>已买过的商品</translation>
        </message>
        <message>
            <source>leave out what a customer bought: learned per category (kept where people buy the same item again), always, or never</source>
            <translation>是否排除客户买过的商品：按品类学习（在人们会回购同一商品的品类中保留）、总是排除或从不排除</translation>
        </message>
        <message>
            <source>Learned per category</source>
            <translation>按品类学习</translation>
        </message>
        <message>
            <source>Always leave out what they bought</source>
            <translation>总是排除已买过的商品</translation>
        </message>
        <message>
            <source>Never leave out</source>
            <translation>从不排除</translation>
        </message>
        <message>
            <source>Never recommend</source>
            <translation>从不推荐</translation>
        </message>
        <message>
            <source>item ids separated by commas or spaces, or a text/CSV file whose first column lists them (out of stock, discontinued)</source>
            <translation>用逗号或空格分隔的商品编号，或第一列列出它们的文本/CSV 文件（缺货、停售）</translation>
        </message>
        <message>
            <source>Only these categories</source>
            <translation>只推荐这些品类</translation>
        </message>
        <message>
            <source>category names separated by commas; recommend only from these</source>
            <translation>用逗号分隔的品类名称；只从这些品类中推荐</translation>
        </message>
        <message>
            <source>Leave out the sequence model</source>
            <translation>不使用序列模型</translation>
        </message>
        <message>
            <source>measure only the fast methods (the neural sequence model takes the longest)</source>
            <translation>只评估快速的方法（神经序列模型耗时最长）</translation>
        </message>
        <message>
            <source>Memory half-life</source>
            <translation>记忆半衰期</translation>
        </message>
        <message>
            <source>how fast old interactions fade for own history and co-occurrence (auto: four times the horizon)</source>
            <translation>自身历史和共现方法中旧互动淡化的速度（自动：天数的四倍）</translation>
        </message>
        <message>
            <source>Customers checked</source>
            <translation>评估的客户数</translation>
        </message>
        <message>
            <source>at most this many customers (drawn at random) are used to measure the methods</source>
            <translation>最多用这么多位（随机抽取的）客户来评估各方法</translation>
        </message>
        <message>
            <source>predict as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>截至此日期进行预测（YYYY-MM-DD；默认：数据结束日）</translation>
        </message>
        <message>
            <source>Spend over the next</source>
            <translation>预计消费覆盖未来</translation>
        </message>
        <message>
            <source>the days the expected spend covers, 1 to 365 (default: from the data, at most 30)</source>
            <translation>预计消费覆盖的天数，1 到 365（默认：根据数据确定，最多 30）</translation>
        </message>
        <message>
            <source>Churn window at least</source>
            <translation>流失判定至少</translation>
        </message>
        <message>
            <source>a customer has churned after no order for 3 times their usual gap, and at least this many days</source>
            <translation>客户超过其平常下单间隔 3 倍且至少这么多天未下单，即视为已流失</translation>
        </message>
        <message>
            <source>forecast from this date (YYYY-MM-DD; default: end of data)</source>
            <translation>从此日期开始预测（YYYY-MM-DD；默认：数据结束日）</translation>
        </message>
        <message>
            <source>Weeks ahead</source>
            <translation>预测周数</translation>
        </message>
        <message>
            <source>how many weeks to forecast, 1 to 26</source>
            <translation>预测未来多少周，1 到 26</translation>
        </message>
        <message>
            <source>weeks</source>
            <translation>周</translation>
        </message>
        <message>
            <source>Down to</source>
            <translation>细化到</translation>
        </message>
        <message>
            <source>the finest level to forecast: item (also categories and the shop), category (also the shop) or shop</source>
            <translation>预测的最细层级：商品（同时包括品类和全店）、品类（同时包括全店）或全店</translation>
        </message>
        <message>
            <source>Items</source>
            <translation>商品</translation>
        </message>
        <message>
            <source>Categories</source>
            <translation>品类</translation>
        </message>
        <message>
            <source>Whole shop</source>
            <translation>全店</translation>
        </message>
        <message>
            <source>Periods</source>
            <translation>周期</translation>
        </message>
        <message>
            <source>weeks or days; auto chooses days for a short, busy log and weeks otherwise</source>
            <translation>按周或按天；自动模式下，记录短且交易频繁时按天，否则按周</translation>
        </message>
        <message>
            <source>From the data</source>
            <translation>根据数据</translation>
        </message>
        <message>
            <source>Weeks</source>
            <translation>周</translation>
        </message>
        <message>
            <source>Days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>Backtest origins</source>
            <translation>回测起点数</translation>
        </message>
        <message>
            <source>how many past dates each method forecasts from to measure its error, 1 to 8</source>
            <translation>每种方法从多少个过去的日期开始预测以衡量其误差，1 到 8</translation>
        </message>
        <message>
            <source>Items forecast</source>
            <translation>预测商品数</translation>
        </message>
        <message>
            <source>at most this many items, the best sellers first</source>
            <translation>最多预测这么多件商品，畅销品优先</translation>
        </message>
        <message>
            <source>Find automatically</source>
            <translation>自动确定</translation>
        </message>
        <message>
            <source>Purchase intent</source>
            <translation>购买意向</translation>
        </message>
        <message>
            <source>Customer profiles &amp; segments</source>
            <translation>客户画像与分群</translation>
        </message>
        <message>
            <source>Recommendations</source>
            <translation>商品推荐</translation>
        </message>
        <message>
            <source>Customer value</source>
            <translation>客户价值</translation>
        </message>
        <message>
            <source>Sales forecast</source>
            <translation>销量预测</translation>
        </message>
        <message>
            <source>valid AUC</source>
            <translation>验证 AUC</translation>
        </message>
        <message>
            <source>backtest WAPE (best method)</source>
            <translation>回测 WAPE（最佳方法）</translation>
        </message>
    </context>
    <context>
        <name>engine</name>
        <message>
            <source>The segment, item and reason columns are empty for now: train customer profiles to give each customer a segment, and recommendations to add the items to offer them and why.</source>
            <translation>分群、商品和原因列目前为空：训练客户画像可为每位客户分配分群，训练推荐可加入要向他们推荐的商品及原因。</translation>
        </message>
        <message>
            <source>The segment column is empty for now: train customer profiles to fill it.</source>
            <translation>分群列目前为空：训练客户画像即可填入。</translation>
        </message>
        <message>
            <source>The item and reason columns are empty for now: train recommendations to add the items to offer each customer and why.</source>
            <translation>商品和原因列目前为空：训练推荐即可加入要向每位客户推荐的商品及原因。</translation>
        </message>
        <message>
            <source>nobody is contacted, so nothing is spent or earned.</source>
            <translation>没有联系任何人，因此没有花费也没有收入。</translation>
        </message>
        <message>
            <source>No customer matches these filters: loosen them to get a list.</source>
            <translation>没有客户符合这些筛选条件：请放宽条件来得到名单。</translation>
        </message>
        <message>
            <source>Train a purchase-intent model first: the campaign list ranks customers by it.</source>
            <translation>请先训练购买意向模型：营销名单按它给客户排序。</translation>
        </message>
        <message>
            <source>The list size must be 0 or more.</source>
            <translation>名单人数必须为 0 或以上。</translation>
        </message>
        <message>
            <source>The margin must be a percentage from 0 to 100.</source>
            <translation>利润率必须是 0 到 100 之间的百分比。</translation>
        </message>
        <message>
            <source>The cost per contact must be a number, 0 or more.</source>
            <translation>每次联系的成本必须是 0 或以上的数字。</translation>
        </message>
        <message>
            <source>From the purchase-intent probabilities and each customer's expected order value:</source>
            <translation>根据购买意向概率和每位客户的预计订单金额：</translation>
        </message>
        <message>
            <source>No list size is expected to pay for its contacts at this margin and cost.</source>
            <translation>按这个利润率和成本，任何名单人数都预计无法收回联系成本。</translation>
        </message>
        <message>
            <source>From the purchase-intent probabilities of buying within {0} days and the customer-value run's expected spend over the same days (it measured better than each customer's own spend rate):</source>
            <translation>根据 {0} 天内购买的意向概率，以及客户价值模型在同样天数内的预期消费（其检验结果优于每位客户自己的消费速度）：</translation>
        </message>
        <message>
            <source>contacting {0:,} customers should reach about {1:,.1f} buyers ({2:,.1f} will not buy) and bring about {3:,.2f} in orders; at a {4:g}% margin and {5:,.2f} per contact the expected profit is {6:,.2f}.</source>
            <translation>联系 {0:,} 位客户预计可触达约 {1:,.1f} 位买家（{2:,.1f} 位不会购买），带来约 {3:,.2f} 的订单；按 {4:g}% 的利润率和每次联系 {5:,.2f} 计算，预计利润为 {6:,.2f}。</translation>
        </message>
        <message>
            <source>There are no segments yet: train customer profiles first.</source>
            <translation>还没有分群：请先训练客户画像。</translation>
        </message>
        <message>
            <source>From the purchase-intent probabilities of buying within {0} days (checked on the latest {0} days) and each customer's expected order value:</source>
            <translation>根据 {0} 天内购买的意向概率（已在最近 {0} 天上检验）和每位客户的预计订单金额：</translation>
        </message>
        <message>
            <source>The most profitable list is the first {0:,} (expected profit {1:,.2f}).</source>
            <translation>利润最高的名单是前 {0:,} 位（预计利润 {1:,.2f}）。</translation>
        </message>
        <message>
            <source>There is no segment “{0}”: the segments are {1}.</source>
            <translation>没有名为“{0}”的客户群：现有的客户群是 {1}。</translation>
        </message>
        <message>
            <source>“{0}” is not a currency sign or code (at most {1} characters, like € or USD).</source>
            <translation>“{0}”不是货币符号或代码（最多 {1} 个字符，例如 € 或 USD）。</translation>
        </message>
        <message>
            <source>their own orders, shrunk toward the shop's average</source>
            <translation>根据其本人的订单，并向店铺平均值收缩</translation>
        </message>
        <message>
            <source>the shop's average, as they have not ordered yet</source>
            <translation>按店铺平均值，因为其尚未下过单</translation>
        </message>
        <message>
            <source>Expected spend</source>
            <translation>预计消费</translation>
        </message>
        <message>
            <source>Expected spend in the next {0} days: {1:,.2f} (likely {2:,.2f}–{3:,.2f}).</source>
            <translation>未来 {0} 天的预计消费：{1:,.2f}（可能在 {2:,.2f}–{3:,.2f} 之间）。</translation>
        </message>
        <message>
            <source>Expected spend: {0:,.2f} (likely {1:,.2f}–{2:,.2f}).</source>
            <translation>预计消费：{0:,.2f}（可能在 {1:,.2f}–{2:,.2f} 之间）。</translation>
        </message>
        <message>
            <source>{0:.0%} chance to buy × {1:,.2f} expected order value ({2}).</source>
            <translation>{0:.0%} 的购买概率 × {1:,.2f} 的预计订单金额（{2}）。</translation>
        </message>
        <message>
            <source>likely {0:,.2f}–{1:,.2f}</source>
            <translation>可能在 {0:,.2f}–{1:,.2f} 之间</translation>
        </message>
        <message>
            <source>1 event</source>
            <translation>1 次行为</translation>
        </message>
        <message>
            <source>1 purchase</source>
            <translation>1 次购买</translation>
        </message>
        <message>
            <source>{0}, {1}, revenue {2:,.2f}. First seen {3}, last seen {4}.</source>
            <translation>{0}，{1}，收入 {2:,.2f}。首次出现 {3}，最近出现 {4}。</translation>
        </message>
        <message>
            <source>{0:,} events</source>
            <translation>{0:,} 次行为</translation>
        </message>
        <message>
            <source>{0:,} purchases</source>
            <translation>{0:,} 次购买</translation>
        </message>
        <message>
            <source>Customer {0} has no events.</source>
            <translation>客户 {0} 没有任何行为。</translation>
        </message>
        <message>
            <source>{0} ({1:,})</source>
            <translation>{0}（{1:,}）</translation>
        </message>
        <message>
            <source>{0} {1:,}</source>
            <translation>{0} {1:,}</translation>
        </message>
        <message>
            <source>, </source>
            <translation>，</translation>
        </message>
        <message>
            <source>“{0}” could not be written ({1}), so nothing changed.</source>
            <translation>无法写入“{0}”（{1}），未做任何更改。</translation>
        </message>
        <message>
            <source>“{0}” is a folder: give the export a file name.</source>
            <translation>“{0}”是一个文件夹：请为导出指定文件名。</translation>
        </message>
        <message>
            <source>The folder “{0}” does not exist.</source>
            <translation>文件夹“{0}”不存在。</translation>
        </message>
        <message>
            <source>The disk is full, so “{0}” was not written and nothing changed.</source>
            <translation>磁盘已满，未写入“{0}”，未做任何更改。</translation>
        </message>
        <message>
            <source>“{0}” could not be written (no permission, or it is open in another program), so nothing changed.</source>
            <translation>无法写入“{0}”（没有权限，或它正在其他程序中打开），未做任何更改。</translation>
        </message>
        <message>
            <source>“{0}” is the open project: an export never overwrites a project, so choose another file name.</source>
            <translation>“{0}”是当前打开的项目：导出绝不会覆盖项目，请换一个文件名。</translation>
        </message>
        <message>
            <source>“{0}” is not a plain file: choose another file name.</source>
            <translation>“{0}”不是普通文件：请换一个文件名。</translation>
        </message>
        <message>
            <source>“{0}” cannot be read, so it is not overwritten: choose another file name.</source>
            <translation>无法读取“{0}”，因此不会覆盖它：请换一个文件名。</translation>
        </message>
        <message>
            <source>“{0}” is a database (an IntentLens project or another program's data): an export never overwrites one, so choose another file name.</source>
            <translation>“{0}”是一个数据库（IntentLens 项目或其他程序的数据）：导出绝不会覆盖数据库，请换一个文件名。</translation>
        </message>
        <message>
            <source>“{0}” belongs to the open project (its {1} file): choose another file name for the export.</source>
            <translation>“{0}”属于当前打开的项目（其 {1} 文件）：请为导出换一个文件名。</translation>
        </message>
        <message>
            <source>“{0}” belongs to the database “{1}”: choose another file name for the export.</source>
            <translation>“{0}”属于数据库“{1}”：请为导出换一个文件名。</translation>
        </message>
        <message>
            <source>The export was stopped, so “{0}” was not written.</source>
            <translation>导出已停止，未写入“{0}”。</translation>
        </message>
        <message>
            <source>“{0}” would need more than the {1:,} rows an Excel sheet holds, so it was not written: export to a .csv file instead.</source>
            <translation>“{0}”需要的行数超过 Excel 工作表可容纳的 {1:,} 行，因此未写入：请改为导出 .csv 文件。</translation>
        </message>
        <message>
            <source>use a whole number</source>
            <translation>请使用整数</translation>
        </message>
        <message>
            <source>use a number</source>
            <translation>请使用数字</translation>
        </message>
        <message>
            <source>choose {0}</source>
            <translation>请选择 {0}</translation>
        </message>
        <message>
            <source>, or {0}</source>
            <translation>，或 {0}</translation>
        </message>
        <message>
            <source>use a whole number from {0:,} to {1:,}</source>
            <translation>请使用 {0:,} 到 {1:,} 之间的整数</translation>
        </message>
        <message>
            <source>use a number from {0:,} to {1:,}</source>
            <translation>请使用 {0:,} 到 {1:,} 之间的数字</translation>
        </message>
        <message>
            <source>Whole shop</source>
            <translation>全店</translation>
        </message>
        <message>
            <source>There is no sales forecast yet: train the sales forecast first.</source>
            <translation>尚无销量预测：请先训练销量预测。</translation>
        </message>
        <message>
            <source>week of {0}</source>
            <translation>{0} 当周</translation>
        </message>
        <message>
            <source>The sales forecast needs purchases in the log, and it has none up to the as-of date.</source>
            <translation>销量预测需要记录中有购买数据，但截至日期之前没有任何购买。</translation>
        </message>
        <message>
            <source>weeks</source>
            <translation>周</translation>
        </message>
        <message>
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>The sales forecast needs at least {0} {1} of sales before the as-of date; this log has {2}.</source>
            <translation>销量预测需要截至日期前至少 {0} {1}的销售数据；此记录只有 {2}。</translation>
        </message>
        <message>
            <source>The forecast was stopped before the final forecast; nothing was saved.</source>
            <translation>预测在得出最终结果前被停止，未保存任何内容。</translation>
        </message>
        <message>
            <source>{0} {1} of sales: too few to forecast {2} weeks ahead and check it on the past (it needs {3}); at most {4} weeks ahead fit.</source>
            <translation>{0} {1}的销售：不足以预测未来 {2} 周并用过去的数据检验（需要 {3}）；最多可预测未来 {4} 周。</translation>
        </message>
        <message>
            <source>The forecast was stopped before it could check itself; nothing was saved.</source>
            <translation>预测在完成自检前被停止，未保存任何内容。</translation>
        </message>
        <message>
            <source>{0} {1} of sales ({2:,} purchases of {3:,} items): enough to forecast {4} weeks ahead and check it from {5} past dates.</source>
            <translation>{0} {1}的销售数据（{3:,} 件商品共 {2:,} 次购买）：足以预测未来 {4} 周，并从 {5} 个过去日期进行检验。</translation>
        </message>
        <message>
            <source>{0} {1} of sales: too few to forecast even one week ahead and check it on the past; import more history.</source>
            <translation>{0} {1}的销售：连未来一周都不足以预测并用过去的数据检验；请导入更多历史数据。</translation>
        </message>
        <message>
            <source>The log is too short to check a forecast of {0} weeks on its own past: choose fewer weeks ahead.</source>
            <translation>记录太短，无法用自身历史数据检验 {0} 周的预测：请减少预测周数。</translation>
        </message>
        <message>
            <source>Learning each customer's chance to buy from the periods before every date, for the expected buyers of each item and category.</source>
            <translation>正在根据每个日期之前的各期学习每位客户的购买概率，用于估计每个商品和类别的预期买家数。</translation>
        </message>
        <message>
            <source>Forecasting {0} items, {1} categories and the whole shop by {2}, {3} {2} ahead; checking every method from {4} past dates.</source>
            <translation>正在按{2}预测 {0} 件商品、{1} 个品类和全店，预测未来 {3} {2}；从 {4} 个过去日期检验每种方法。</translation>
        </message>
        <message>
            <source>Forecasting from {0} with the best method of each level.</source>
            <translation>正在从 {0} 开始预测，每个层级使用最佳方法。</translation>
        </message>
        <message>
            <source>Checked the forecast from {0}.</source>
            <translation>已检验从 {0} 起的预测。</translation>
        </message>
        <message>
            <source>a week</source>
            <translation>每周</translation>
        </message>
        <message>
            <source>a day</source>
            <translation>每天</translation>
        </message>
        <message>
            <source>Nothing sold in the checked weeks at this level, so the error is unknown.</source>
            <translation>在这一层级，所检验的几周内没有任何销售，因此无法得知误差。</translation>
        </message>
        <message>
            <source>.</source>
            <translation>。</translation>
        </message>
        <message>
            <source>The expected buyers were left out: the log has too few customers, or too few who bought, to learn each customer's chance to buy.</source>
            <translation>未使用预期买家：日志中的客户或购买过的客户太少，无法学习每位客户的购买概率。</translation>
        </message>
        <message>
            <source>Views and carts</source>
            <translation>浏览和加购</translation>
        </message>
        <message>
            <source>The expected buyers from the customers' intent</source>
            <translation>根据客户购买意向得出的预期买家数</translation>
        </message>
        <message>
            <source>The global model (one gradient-boosting model learned across all series, the one that reads views, carts and the expected buyers) serves no level here, so its signals do not change this forecast:</source>
            <translation>全局模型（在所有序列上学习的一个梯度提升模型，它会读取浏览、加购和预期买家数）在这里没有用于任何层级，因此它的信号不会改变本次预测：</translation>
        </message>
        <message>
            <source>{0} does about as well as {1} (the difference, {2:+.0%}, is within chance)</source>
            <translation>{0}与{1}表现相当（差异为 {2:+.0%}，在随机误差范围内）</translation>
        </message>
        <message>
            <source>off by {0:.0%} {1} on average</source>
            <translation>平均偏差 {0:.0%}（{1}）</translation>
        </message>
        <message>
            <source>; </source>
            <translation>；</translation>
        </message>
        <message>
            <source>{0} {1}.</source>
            <translation>{0}{1}。</translation>
        </message>
        <message>
            <source>The global model (one gradient-boosting model learned across all series, the one that reads views, carts and the expected buyers) serves {0}:</source>
            <translation>全局模型（在所有序列上学习的一个梯度提升模型，它会读取浏览、加购和预期买家数）用于{0}：</translation>
        </message>
        <message>
            <source>The P10–P90 range held {0:.0%} of the actual periods in the backtest (80% is the aim).</source>
            <translation>在回测中，{0:.0%} 的实际周期落在 P10–P90 区间内（目标为 80%）。</translation>
        </message>
        <message>
            <source>{0} beats {1}: its errors are {2:.0%} lower (95% interval {3:.0%} to {4:.0%})</source>
            <translation>{0}优于{1}：误差低 {2:.0%}（95% 区间 {3:.0%} 至 {4:.0%}）</translation>
        </message>
        <message>
            <source>{1} beats {0}: the errors of {0} are {2:.0%} higher</source>
            <translation>{1}优于{0}：{0}的误差高 {2:.0%}</translation>
        </message>
        <message>
            <source>For the whole shop, {0} is {1}</source>
            <translation>对整个店铺，{0}{1}</translation>
        </message>
        <message>
            <source>{0} and {1}</source>
            <translation>{0}和{1}</translation>
        </message>
        <message>
            <source>The P10–P90 range held only {0:.0%} of the actual periods in the backtest (80% is the aim): treat it as too narrow.</source>
            <translation>在回测中，只有 {0:.0%} 的实际周期落在 P10–P90 区间内（目标为 80%）：应视为区间过窄。</translation>
        </message>
        <message>
            <source>The P10–P90 range held {0:.0%} of the actual periods in the backtest (80% is the aim): it is on the cautious side.</source>
            <translation>在回测中，{0:.0%} 的实际周期落在 P10–P90 区间内（目标为 80%）：区间偏保守。</translation>
        </message>
        <message>
            <source>For a category, {0} is {1}</source>
            <translation>对单个类别，{0}{1}</translation>
        </message>
        <message>
            <source>helped the global model for {0}</source>
            <translation>改进了全局模型在{0}上的表现</translation>
        </message>
        <message>
            <source>made the global model worse for {0}</source>
            <translation>使全局模型在{0}上变差</translation>
        </message>
        <message>
            <source>made no clear difference to the global model for {0}</source>
            <translation>对全局模型在{0}上没有明显影响</translation>
        </message>
        <message>
            <source>For single items a range is more honest than a number: {0} is typically off by {1:.0%} {2}</source>
            <translation>单个商品看区间比看单个数字更可靠：{0}通常{2}偏差约 {1:.0%}</translation>
        </message>
        <message>
            <source>For single items, {0} is {1}</source>
            <translation>对单个商品，{0}{1}</translation>
        </message>
        <message>
            <source>{0} ({1:.0%} lower errors, 95% interval {2:.0%} to {3:.0%})</source>
            <translation>{0}（误差降低 {1:.0%}，95% 区间 {2:.0%} 至 {3:.0%}）</translation>
        </message>
        <message>
            <source>{0} ({1:.0%} higher errors)</source>
            <translation>{0}（误差升高 {1:.0%}）</translation>
        </message>
        <message>
            <source>{0} (errors {1:.0%} lower, within chance)</source>
            <translation>{0}（误差降低 {1:.0%}，在随机波动范围内）</translation>
        </message>
        <message>
            <source>{0} (errors {1:.0%} higher, within chance)</source>
            <translation>{0}（误差升高 {1:.0%}，在随机波动范围内）</translation>
        </message>
        <message>
            <source>“{0}” was already imported on {1} ({2}); importing it again would count every event twice (use --allow-duplicate to do it anyway).</source>
            <translation>“{0}”已于 {1} 导入过（{2}）；再次导入会把每条行为都重复计算一次（如仍要导入，请使用 --allow-duplicate）。</translation>
        </message>
        <message>
            <source>{0:,} event</source>
            <translation>{0:,} 条行为</translation>
        </message>
        <message>
            <source>“{0}” could not be read to the end ({1}).</source>
            <translation>“{0}”无法完整读取（{1}）。</translation>
        </message>
        <message>
            <source>1 line has an id in column “{1}” written in spreadsheet scientific notation{2}: the spreadsheet rounded it, so different customers or items may have been merged into one. Export the file again with that column formatted as text.</source>
            <translation>“{1}”列中有 1 行的编号被电子表格写成了科学计数法{2}：电子表格已将其四舍五入，因此不同的客户或商品可能被合并成了一个。请将该列设为文本格式后重新导出文件。</translation>
        </message>
        <message>
            <source>{0:,} lines have ids in column “{1}” written in spreadsheet scientific notation{2}: the spreadsheet rounded them, so different customers or items may have been merged into one. Export the file again with that column formatted as text.</source>
            <translation>“{1}”列中有 {0:,} 行的编号被电子表格写成了科学计数法{2}：电子表格已将其四舍五入，因此不同的客户或商品可能被合并成了一个。请将该列设为文本格式后重新导出文件。</translation>
        </message>
        <message>
            <source> (like “{0}”)</source>
            <translation> （例如“{0}”）</translation>
        </message>
        <message>
            <source>In column “{1}” some ids have leading zeros and 1 line has the same kind of id without them{2}: a spreadsheet probably dropped the zeros, so one customer may appear under two ids. Export the file again with that column formatted as text.</source>
            <translation>“{1}”列中有些编号带前导零，而有 1 行的同类编号没有前导零{2}：很可能是电子表格去掉了这些零，因此同一位客户可能以两个编号出现。请将该列设为文本格式后重新导出文件。</translation>
        </message>
        <message>
            <source>In column “{1}” some ids have leading zeros and {0:,} lines have the same kind of id without them{2}: a spreadsheet probably dropped the zeros, so one customer may appear under two ids. Export the file again with that column formatted as text.</source>
            <translation>“{1}”列中有些编号带前导零，而有 {0:,} 行的同类编号没有前导零{2}：很可能是电子表格去掉了这些零，因此同一位客户可能以两个编号出现。请将该列设为文本格式后重新导出文件。</translation>
        </message>
        <message>
            <source>1 line has a value in column “{1}” that is not a number{2}: that value was left empty (the line was still imported).</source>
            <translation>“{1}”列中有 1 行的值不是数字{2}：该值已留空（这一行仍已导入）。</translation>
        </message>
        <message>
            <source>{0:,} lines have a value in column “{1}” that is not a number{2}: those values were left empty (the lines were still imported).</source>
            <translation>“{1}”列中有 {0:,} 行的值不是数字{2}：这些值已留空（这些行仍已导入）。</translation>
        </message>
        <message>
            <source>1 line has an order status IntentLens does not know in column “{1}”{2}: it was counted as a purchase. If that is wrong, say what the word means with --event WORD=other (or purchase, refund), or in the wizard's event list.</source>
            <translation>“{1}”列中有 1 行的订单状态 IntentLens 无法识别{2}：已将其算作购买。如果不对，请用 --event WORD=other（或 purchase、refund）说明该词的含义，或在导入向导的行为列表中设置。</translation>
        </message>
        <message>
            <source>{0:,} lines have an order status IntentLens does not know in column “{1}”{2}: they were counted as purchases. If that is wrong, say what the word means with --event WORD=other (or purchase, refund), or in the wizard's event list.</source>
            <translation>“{1}”列中有 {0:,} 行的订单状态 IntentLens 无法识别{2}：已将它们算作购买。如果不对，请用 --event WORD=other（或 purchase、refund）说明该词的含义，或在导入向导的行为列表中设置。</translation>
        </message>
        <message>
            <source>1 line has an event word IntentLens does not know in column “{1}”{2}: it is imported as “other”. Say what the word means with --event WORD=EVENT, or in the wizard's event list.</source>
            <translation>“{1}”列中有 1 行的行为词 IntentLens 无法识别{2}：该行将按“other”（其他）导入。请用 --event WORD=EVENT 说明该词的含义，或在导入向导的行为列表中设置。</translation>
        </message>
        <message>
            <source>{0:,} lines have an event word IntentLens does not know in column “{1}”{2}: they are imported as “other”. Say what the word means with --event WORD=EVENT, or in the wizard's event list.</source>
            <translation>“{1}”列中有 {0:,} 行的行为词 IntentLens 无法识别{2}：这些行将按“other”（其他）导入。请用 --event WORD=EVENT 说明该词的含义，或在导入向导的行为列表中设置。</translation>
        </message>
        <message>
            <source>1 line has a time in column “{1}” after today{2}: check the date order (--date-order dmy|mdy|ymd) or the time column (--map time=COLUMN).</source>
            <translation>“{1}”列中有 1 行的时间晚于今天{2}：请检查日期顺序（--date-order dmy|mdy|ymd）或时间列（--map time=COLUMN）。</translation>
        </message>
        <message>
            <source>{0:,} lines have a time in column “{1}” after today{2}: check the date order (--date-order dmy|mdy|ymd) or the time column (--map time=COLUMN).</source>
            <translation>“{1}”列中有 {0:,} 行的时间晚于今天{2}：请检查日期顺序（--date-order dmy|mdy|ymd）或时间列（--map time=COLUMN）。</translation>
        </message>
        <message>
            <source>1 line in column “{1}”: {3}{2}.</source>
            <translation>“{1}”列中有 1 行：{3}{2}。</translation>
        </message>
        <message>
            <source>{0:,} lines in column “{1}”: {3}{2}.</source>
            <translation>“{1}”列中有 {0:,} 行：{3}{2}。</translation>
        </message>
        <message>
            <source> (a guess: the values read either way)</source>
            <translation>（推测：两种读法都说得通）</translation>
        </message>
        <message>
            <source>decimal comma</source>
            <translation>逗号作小数点</translation>
        </message>
        <message>
            <source>decimal point</source>
            <translation>句点作小数点</translation>
        </message>
        <message>
            <source>{0} for thousands</source>
            <translation>{0} 作千位分隔</translation>
        </message>
        <message>
            <source>The line is not valid JSON.</source>
            <translation>此行不是有效的 JSON。</translation>
        </message>
        <message>
            <source>The line is empty.</source>
            <translation>此行为空。</translation>
        </message>
        <message>
            <source>No customer id.</source>
            <translation>没有客户编号。</translation>
        </message>
        <message>
            <source>No event type.</source>
            <translation>没有行为类型。</translation>
        </message>
        <message>
            <source>A repeated header line (the column names again), not data.</source>
            <translation>重复的表头行（再次列出列名），不是数据。</translation>
        </message>
        <message>
            <source>A totals row, not an event.</source>
            <translation>合计行，不是行为记录。</translation>
        </message>
        <message>
            <source>A note above the header line, not data.</source>
            <translation>表头行上方的备注，不是数据。</translation>
        </message>
        <message>
            <source>The line is cut off: the file ends in the middle of it ({0} of {1} values).</source>
            <translation>此行不完整：文件在这一行中间就结束了（{1} 个值中只有 {0} 个）。</translation>
        </message>
        <message>
            <source>Expected {0} but found {1}.</source>
            <translation>应有 {0}，实际有 {1} 个。</translation>
        </message>
        <message>
            <source>{0} value</source>
            <translation>{0} 个值</translation>
        </message>
        <message>
            <source>{0} values</source>
            <translation>{0} 个值</translation>
        </message>
        <message>
            <source>The time “{0}” could not be read (expected {1}).</source>
            <translation>无法读取时间“{0}”（预期格式：{1}）。</translation>
        </message>
        <message>
            <source>The price “{0}” times the quantity “{1}” is more than any real sale (over {2}): the line was left out. Check this line in the file.</source>
            <translation>价格“{0}”乘以数量“{1}”超出了任何真实交易的范围（超过 {2}）：此行已略过。请检查文件中的这一行。</translation>
        </message>
        <message>
            <source>The number “{0}” in column “{1}” is too large to be a real price, quantity or amount (over {2}): the line was left out. Check this line in the file.</source>
            <translation>“{1}”列中的数字“{0}”太大，不可能是真实的价格、数量或金额（超过 {2}）：此行已略过。请检查文件中的这一行。</translation>
        </message>
        <message>
            <source>columns matched by their names</source>
            <translation>按列名对应</translation>
        </message>
        <message>
            <source>choose one in the {0} list below.</source>
            <translation>请在下方的“{0}”列表中选择一列。</translation>
        </message>
        <message>
            <source> or </source>
            <translation> 或 </translation>
        </message>
        <message>
            <source>“{0}” is empty: there is nothing to import.</source>
            <translation>“{0}”是空文件：没有可导入的内容。</translation>
        </message>
        <message>
            <source>“{0}” is an Excel workbook: save it as CSV in Excel, then import the CSV.</source>
            <translation>“{0}”是 Excel 工作簿：请先在 Excel 中将其另存为 CSV，再导入该 CSV 文件。</translation>
        </message>
        <message>
            <source>“{0}” is not a text (CSV) file: it holds binary data.</source>
            <translation>“{0}”不是文本（CSV）文件：它包含二进制数据。</translation>
        </message>
        <message>
            <source>choose one with --map {0}=COLUMN.</source>
            <translation>请用 --map {0}=COLUMN 选择一列。</translation>
        </message>
        <message>
            <source>No column looks like the {0}: {1}</source>
            <translation>找不到像是 {0} 的列：{1}</translation>
        </message>
        <message>
            <source>The {0} could be {1}: {2}</source>
            <translation>{0} 可能是{1}列：{2}</translation>
        </message>
        <message>
            <source>IntentLens does not know the text encoding “{0}”.</source>
            <translation>IntentLens 不认识文本编码“{0}”。</translation>
        </message>
        <message>
            <source>“{0}” does not look like a CSV file: no line splits into columns.</source>
            <translation>“{0}”看起来不像 CSV 文件：没有任何一行能拆分成多列。</translation>
        </message>
        <message>
            <source>Unknown format “{0}”: use one of {1} or csv.</source>
            <translation>未知格式“{0}”：请使用 {1} 或 csv。</translation>
        </message>
        <message>
            <source>“{0}” is not a field IntentLens knows; use one of: {1}.</source>
            <translation>“{0}”不是 IntentLens 认识的字段；请使用以下之一：{1}。</translation>
        </message>
        <message>
            <source>The file has no column “{0}” (its columns: {1}).</source>
            <translation>文件中没有“{0}”列（文件的列为：{1}）。</translation>
        </message>
        <message>
            <source>The times in column “{0}” are in a form IntentLens does not know: choose another column with --map time=COLUMN.</source>
            <translation>“{0}”列中的时间格式 IntentLens 无法识别：请用 --map time=COLUMN 选择其他列。</translation>
        </message>
        <message>
            <source>The times in column “{0}” are in a form IntentLens does not know: choose another column in the Time list below.</source>
            <translation>“{0}”列中的时间格式 IntentLens 无法识别：请在下方的“时间”列表中选择其他列。</translation>
        </message>
        <message>
            <source>A quote (") opens a value on this line but is not closed where it should be: the line was left out and reading went on with the next line.</source>
            <translation>此行有一个值以引号（"）开头，但没有在应有的位置闭合：此行已略过，并从下一行继续读取。</translation>
        </message>
        <message>
            <source>The line nests values more than {0} levels deep: not an event, left out.</source>
            <translation>此行的值嵌套超过 {0} 层：不是行为记录，已略过。</translation>
        </message>
        <message>
            <source>The line is {0:,} characters long, more than the {1:,} a line may have: it was left out (only its start is kept here).</source>
            <translation>此行长 {0:,} 个字符，超过了每行最多 {1:,} 个字符的限制：此行已略过（这里只保留其开头部分）。</translation>
        </message>
        <message>
            <source>The file “{0}” does not exist.</source>
            <translation>文件“{0}”不存在。</translation>
        </message>
        <message>
            <source>“{0}” is a folder, not a file.</source>
            <translation>“{0}”是文件夹，不是文件。</translation>
        </message>
        <message>
            <source>IntentLens is not allowed to read “{0}”.</source>
            <translation>IntentLens 无权读取“{0}”。</translation>
        </message>
        <message>
            <source>The archive “{0}” is empty.</source>
            <translation>压缩包“{0}”是空的。</translation>
        </message>
        <message>
            <source>“{0}” is damaged: it cannot be decompressed ({1}).</source>
            <translation>“{0}”已损坏：无法解压（{1}）。</translation>
        </message>
        <message>
            <source>“{0}” is a damaged zip archive ({1}).</source>
            <translation>“{0}”是损坏的 zip 压缩包（{1}）。</translation>
        </message>
        <message>
            <source> (2-digit year)</source>
            <translation>（两位数年份）</translation>
        </message>
        <message>
            <source>the form {0} ({1})</source>
            <translation>格式 {0}（{1}）</translation>
        </message>
        <message>
            <source>month/day/year</source>
            <translation>月/日/年</translation>
        </message>
        <message>
            <source>day/month/year</source>
            <translation>日/月/年</translation>
        </message>
        <message>
            <source>year/month/day</source>
            <translation>年/月/日</translation>
        </message>
        <message>
            <source> “{0}” is the order's total, so each line's revenue is its price × quantity.</source>
            <translation> “{0}”是订单总额，因此每行的销售额按单价 × 数量计算。</translation>
        </message>
        <message>
            <source>Every date in column “{0}” could be read day-first or month-first (no day is above 12); IntentLens reads them as {1}. If that is wrong, import again with --date-order {2} (or choose the date order in the wizard).</source>
            <translation>“{0}”列中的每个日期都既可按日在前、也可按月在前读取（没有大于 12 的日）；IntentLens 按{1}读取。如果不对，请用 --date-order {2} 重新导入（或在导入向导中选择日期顺序）。</translation>
        </message>
        <message>
            <source>“{0}” is not an event IntentLens knows; use one of: {1}.</source>
            <translation>“{0}”不是 IntentLens 认识的行为；请使用以下之一：{1}。</translation>
        </message>
        <message>
            <source>IntentLens does not know most event words in column “{0}” ({1}): say what each means with --event WORD=EVENT, for example --event "{2}=view".</source>
            <translation>“{0}”列中的大多数行为词 IntentLens 都不认识（{1}）：请用 --event WORD=EVENT 说明每个词的含义，例如 --event "{2}=view"。</translation>
        </message>
        <message>
            <source>IntentLens does not know most event words in column “{0}” ({1}): choose what each means in the event list below.</source>
            <translation>“{0}”列中的大多数行为词 IntentLens 都不认识（{1}）：请在下方的行为列表中选择每个词的含义。</translation>
        </message>
        <message>
            <source>IntentLens does not know the event words {0} in column “{1}”; their lines are imported as “other”. Say what they mean with --event WORD=EVENT or in the wizard's event list.</source>
            <translation>IntentLens 不认识“{1}”列中的行为词 {0}；这些行将按“other”（其他）导入。请用 --event WORD=EVENT 或在导入向导的行为列表中说明它们的含义。</translation>
        </message>
        <message>
            <source>The values of column “{0}” cannot be times ({1}), so the times are taken from column “{2}”. To choose another, use --map time=COLUMN.</source>
            <translation>“{0}”列的值不可能是时间（{1}），因此改用“{2}”列的时间。如需选择其他列，请使用 --map time=COLUMN。</translation>
        </message>
        <message>
            <source>The numbers in column “{0}” (like “{1}”) could use the comma or the point for decimals; IntentLens reads them with a decimal comma. If that is wrong, import again with --decimal {2}.</source>
            <translation>“{0}”列中的数字（如“{1}”）可能用逗号、也可能用句点表示小数点；IntentLens 将逗号视为小数点。如果不对，请用 --decimal {2} 重新导入。</translation>
        </message>
        <message>
            <source>The numbers in column “{0}” (like “{1}”) could use the comma or the point for decimals; IntentLens reads them with a decimal point. If that is wrong, import again with --decimal {2}.</source>
            <translation>“{0}”列中的数字（如“{1}”）可能用逗号、也可能用句点表示小数点；IntentLens 将句点视为小数点。如果不对，请用 --decimal {2} 重新导入。</translation>
        </message>
        <message>
            <source>IntentLens does not know the order status “{0}” in column “{1}”; its lines are counted as purchases. If that is wrong, say what it means with --event "{0}=other" (or refund), or in the event list of the wizard.</source>
            <translation>IntentLens 不认识“{1}”列中的订单状态“{0}”；这些行已算作购买。如果不对，请用 --event "{0}=other"（或 refund）说明其含义，或在导入向导的行为列表中设置。</translation>
        </message>
        <message>
            <source>The file has no column that says what each line is (view, cart, purchase…) and no order numbers, amounts or quantities, so every line is imported as “other”. If every line is the same kind of event, import again with --default-event EVENT (for example --default-event view), or choose it in the wizard.</source>
            <translation>文件中没有说明每行是什么（浏览、加购、购买…）的列，也没有订单号、金额或数量，因此每一行都按“other”（其他）导入。如果每一行都是同一种行为，请用 --default-event EVENT 重新导入（例如 --default-event view），或在导入向导中选择。</translation>
        </message>
        <message>
            <source>This is an order export that writes the order's own values ({0}) on its first line only; IntentLens gives them to the order's other lines too.</source>
            <translation>这是一份订单导出文件，订单本身的值（{0}）只写在该订单的第一行；IntentLens 会把这些值也填到该订单的其他行。</translation>
        </message>
        <message>
            <source>Column “{0}” looks like it says what each line is ({1}), but IntentLens does not know these words: use --map event="{0}" and say what each word means with --event WORD=EVENT, or give every line one event with --default-event EVENT.</source>
            <translation>“{0}”列看起来说明了每行是什么（{1}），但 IntentLens 不认识这些词：请使用 --map event="{0}"，并用 --event WORD=EVENT 说明每个词的含义；或用 --default-event EVENT 为所有行指定同一种行为。</translation>
        </message>
        <message>
            <source>Column “{0}” looks like it says what each line is ({1}): choose it in the Event list below and say what each word means.</source>
            <translation>“{0}”列看起来说明了每行是什么（{1}）：请在下方的“行为”列表中选择它，并说明每个词的含义。</translation>
        </message>
        <message>
            <source>{0} sequence model ({1}{2})</source>
            <translation>{0} 序列模型（{1}{2}）</translation>
        </message>
        <message>
            <source>, average of {0}</source>
            <translation>，{0} 个模型的平均</translation>
        </message>
        <message>
            <source>no complete period</source>
            <translation>没有完整的周期</translation>
        </message>
        <message>
            <source>1 complete period</source>
            <translation>1 个完整周期</translation>
        </message>
        <message>
            <source>choose a shorter horizon or a later as-of date</source>
            <translation>请选择更短的预测期或更晚的截止日期</translation>
        </message>
        <message>
            <source>choose a later as-of date, or import more history</source>
            <translation>请选择更晚的截止日期，或导入更多历史数据</translation>
        </message>
        <message>
            <source>Enough data: {0:,} customers; the latest {1}-day period has {2:,} customers with history and {3:,} buyers, and {4} earlier periods give {5:,} training examples with {6:,} buyers.</source>
            <translation>数据足够：{0:,} 位客户；最近 {1} 天的周期中有 {2:,} 位有历史记录的客户和 {3:,} 位买家，之前的 {4} 个周期提供 {5:,} 个训练样本，其中 {6:,} 位买家。</translation>
        </message>
        <message>
            <source>Too little history for a sequence model: with a {0}-day horizon the data covers {1} before the as-of date, and at least 2 are needed (one to learn from, one to check); {2}.</source>
            <translation>历史数据不足以训练序列模型：预测期为 {0} 天时，截止日期之前的数据只覆盖{1}，至少需要 2 个（一个用于学习，一个用于检验）；{2}。</translation>
        </message>
        <message>
            <source>Too little data for a sequence model: the latest {0}-day period has {1:,} customers with history and {2:,} buyers (earlier periods: {3:,} buyers), but at least {4} customers and {5} buyers are needed; import more history or choose a longer horizon.</source>
            <translation>数据不足以训练序列模型：最近 {0} 天的周期中有 {1:,} 位有历史记录的客户和 {2:,} 位买家（之前的周期：{3:,} 位买家），但至少需要 {4} 位客户和 {5} 位买家；请导入更多历史数据或选择更长的预测期。</translation>
        </message>
        <message>
            <source>customers without any bought {0} as often as those with some ({1:.0%} against {2:.0%})</source>
            <translation>没有这类操作的客户购买频率是有过的客户的 {0}（{1:.0%} 对 {2:.0%}）</translation>
        </message>
        <message>
            <source>customers with fewer than {3} bought {0} as often as the rest ({1:.0%} against {2:.0%})</source>
            <translation>少于 {3} 次的客户购买频率是其余客户的 {0}（{1:.0%} 对 {2:.0%}）</translation>
        </message>
        <message>
            <source>{0}: raise the chance to buy by {1} points on average where they occur</source>
            <translation>{0}：在出现这类操作的客户中，平均使购买概率提高 {1} 个百分点</translation>
        </message>
        <message>
            <source>{0}: lower the chance to buy by {1} points on average where they occur</source>
            <translation>{0}：在出现这类操作的客户中，平均使购买概率降低 {1} 个百分点</translation>
        </message>
        <message>
            <source>{0} more than {1} days before</source>
            <translation>{1} 天以前的{0}</translation>
        </message>
        <message>
            <source>customers with any bought {0} as often as those without ({1:.0%} against {2:.0%})</source>
            <translation>有过这类操作的客户购买频率是没有的客户的 {0}（{1:.0%} 对 {2:.0%}）</translation>
        </message>
        <message>
            <source>customers with {3} or more bought {0} as often as the rest ({1:.0%} against {2:.0%})</source>
            <translation>有 {3} 次或以上的客户购买频率是其余客户的 {0}（{1:.0%} 对 {2:.0%}）</translation>
        </message>
        <message>
            <source>{0} in the last {1} days</source>
            <translation>最近 {1} 天内的{0}</translation>
        </message>
        <message>
            <source>{0} from {1} to {2} days before</source>
            <translation>{1} 到 {2} 天前的{0}</translation>
        </message>
        <message>
            <source>{0}.</source>
            <translation>{0}。</translation>
        </message>
        <message>
            <source>{0}; {1}.</source>
            <translation>{0}；{1}。</translation>
        </message>
        <message>
            <source>{0}; yet {1}.</source>
            <translation>{0}；但{1}。</translation>
        </message>
        <message>
            <source>{0}, 95% interval {1} to {2}</source>
            <translation>{0}，95% 区间 {1} 至 {2}</translation>
        </message>
        <message>
            <source>On the latest period ({0}) the deep model finds {1:.1f}x more buyers in its top 10% than chance</source>
            <translation>在最近一个周期（{0}）中，深度模型在得分最高的 10% 客户中找到的买家是随机的 {1:.1f} 倍</translation>
        </message>
        <message>
            <source> The deep model's scores serve anyway, as “Always use the deep model” asks.</source>
            <translation> 但按照“始终使用深度模型”的设置，仍采用深度模型的评分。</translation>
        </message>
        <message>
            <source>AUC {0:.3f} with it against {1:.3f} without ({2}), {3}</source>
            <translation>使用时 AUC 为 {0:.3f}，不使用时为 {1:.3f}（{2}），{3}</translation>
        </message>
        <message>
            <source>Reading each customer's sequence of events added nothing beyond noise to the customer totals: {0}.</source>
            <translation>逐条读取每位客户的行为序列，相比仅用客户汇总数据，没有带来超出随机误差的提升：{0}。</translation>
        </message>
        <message>
            <source>purchases {0} to {1}</source>
            <translation>{0} 至 {1} 的购买</translation>
        </message>
        <message>
            <source>{0} models trained the same way from different random starts: AUC {1:.3f} to {2:.3f} on the latest period ({3}), a spread of {4:.3f}.</source>
            <translation>以相同方式、从不同随机起点训练的 {0} 个模型：在最近时段（{3}）上的 AUC 为 {1:.3f} 至 {2:.3f}，相差 {4:.3f}。</translation>
        </message>
        <message>
            <source>Sequence augmentation did not help: validation AUC {0:.3f} with it against {1:.3f} without (same epoch budget); the model without it is kept.</source>
            <translation>序列增强没有帮助：使用时验证 AUC 为 {0:.3f}，不使用时为 {1:.3f}（相同的训练轮数）；保留不使用增强的模型。</translation>
        </message>
        <message>
            <source> So the scores of {0} serve the customers: it finds {1:.1f}x more buyers in its top 10% than chance ({2}). The deep model serves only when it ranks buyers better beyond noise.</source>
            <translation> 因此客户评分采用{0}的结果：它在得分最高的 10% 客户中找到的买家是随机的 {1:.1f} 倍（{2}）。只有当深度模型对买家的排序明显优于随机误差范围时，才会采用深度模型。</translation>
        </message>
        <message>
            <source>Reading each customer's sequence of events helped: {0}.</source>
            <translation>读取每位客户的行为序列带来了提升：{0}。</translation>
        </message>
        <message>
            <source>Reading each customer's sequence of events hurt: {0}; the customer totals alone ranked buyers better.</source>
            <translation>读取每位客户的行为序列反而拖了后腿：{0}；只看客户汇总数据更能找准买家。</translation>
        </message>
        <message>
            <source>The average of their scores ranks buyers about as well as the first model alone: AUC {0:.3f} (average minus first model: {1}). The average serves, because it does not depend on one lucky or unlucky random start.</source>
            <translation>它们分数的平均值对购买客户的排序与单独的第一个模型差不多：AUC {0:.3f}（平均值减第一个模型：{1}）。采用平均值，因为它不依赖某一个碰巧好或碰巧差的随机起点。</translation>
        </message>
        <message>
            <source>Sequence augmentation helped: validation AUC {0:.3f} with it against {1:.3f} without (same epoch budget); the augmented model is kept.</source>
            <translation>序列增强有帮助：使用时验证 AUC 为 {0:.3f}，不使用时为 {1:.3f}（相同的训练轮数）；保留增强后的模型。</translation>
        </message>
        <message>
            <source> (AUC {0:.3f}).</source>
            <translation>（AUC {0:.3f}）。</translation>
        </message>
        <message>
            <source>, and beats the best simple method ({0}): AUC {1:.3f} against {2:.3f} (deep model minus simple method: {3}).</source>
            <translation>，且优于最佳简单方法（{0}）：AUC {1:.3f} 对 {2:.3f}（深度模型减简单方法：{3}）。</translation>
        </message>
        <message>
            <source>The average of their scores ranks buyers better than the first model alone: AUC {0:.3f} (average minus first model: {1}), so the average serves.</source>
            <translation>它们分数的平均值对购买客户的排序优于单独的第一个模型：AUC {0:.3f}（平均值减第一个模型：{1}），因此采用平均值。</translation>
        </message>
        <message>
            <source>The average of their scores ranks buyers worse than the first model alone: AUC {0:.3f} (average minus first model: {1}), so the first model serves.</source>
            <translation>它们分数的平均值对购买客户的排序不如单独的第一个模型：AUC {0:.3f}（平均值减第一个模型：{1}），因此采用第一个模型。</translation>
        </message>
        <message>
            <source>, but the simpler {0} ranks buyers better: AUC {1:.3f} against {2:.3f} (deep model minus simple method: {3}).</source>
            <translation>，但更简单的{0}更能找准买家：AUC {1:.3f} 对 {2:.3f}（深度模型减简单方法：{3}）。</translation>
        </message>
        <message>
            <source>, about as well as the best simple method ({0}): AUC {1:.3f} against {2:.3f} (deep model minus simple method: {3}).</source>
            <translation>，与最佳简单方法（{0}）相当：AUC {1:.3f} 对 {2:.3f}（深度模型减简单方法：{3}）。</translation>
        </message>
        <message>
            <source>1 day ago</source>
            <translation>1 天前</translation>
        </message>
        <message>
            <source>just before the as-of date</source>
            <translation>就在截止日期之前</translation>
        </message>
        <message>
            <source>1 hour ago</source>
            <translation>1 小时前</translation>
        </message>
        <message>
            <source>an item</source>
            <translation>一件商品</translation>
        </message>
        <message>
            <source>{0} {1}: {2} percentage point</source>
            <translation>{0}（{1}）：{2} 个百分点</translation>
        </message>
        <message>
            <source>{0} {1}: {2} percentage points</source>
            <translation>{0}（{1}）：{2} 个百分点</translation>
        </message>
        <message>
            <source>{0} days ago</source>
            <translation>{0} 天前</translation>
        </message>
        <message>
            <source>{0} hours ago</source>
            <translation>{0} 小时前</translation>
        </message>
        <message>
            <source>{0} items ({1} and more)</source>
            <translation>{0} 件商品（{1} 等）</translation>
        </message>
        <message>
            <source>Interacted with '{0}' {1} times, last</source>
            <translation>与“{0}”互动 {1} 次，最近一次</translation>
        </message>
        <message>
            <source>No intent score yet: train a purchase-intent model first.</source>
            <translation>尚无意向评分：请先训练购买意向模型。</translation>
        </message>
        <message>
            <source>There are no intent scores yet: train a purchase-intent model first.</source>
            <translation>还没有意向评分：请先训练购买意向模型。</translation>
        </message>
        <message>
            <source>Buys within {0} days: {1:.0%} likely{2}.</source>
            <translation>{0} 天内购买的可能性：{1:.0%}{2}。</translation>
        </message>
        <message>
            <source>, top {0:.0f}% of customers</source>
            <translation>，位居前 {0:.0f}% 的客户</translation>
        </message>
        <message>
            <source>There is no customer “{0}” in this project.</source>
            <translation>此项目中没有客户“{0}”。</translation>
        </message>
        <message>
            <source>Customer “{0}” has no events.</source>
            <translation>客户“{0}”没有任何行为。</translation>
        </message>
        <message>
            <source>, bottom {0:.0f}% of customers</source>
            <translation>，位居后 {0:.0f}% 的客户</translation>
        </message>
        <message>
            <source>There is no customer “{0}” in this project; did you mean {1}?</source>
            <translation>项目中没有客户“{0}”；您是否要找 {1}？</translation>
        </message>
        <message>
            <source>Training model {0} of {1}, each from its own random start, to average their scores.</source>
            <translation>正在训练第 {0} 个模型（共 {1} 个），每个模型从各自的随机起点开始，之后取它们分数的平均值。</translation>
        </message>
        <message>
            <source>model {0} of {1}</source>
            <translation>第 {0} 个模型（共 {1} 个）</translation>
        </message>
        <message>
            <source>Final fit on all periods: model {0} of {1}.</source>
            <translation>在所有时段上做最终训练：第 {0} 个模型（共 {1} 个）。</translation>
        </message>
        <message>
            <source>There are no purchases in this data: purchase intent cannot be learned until a log with purchases is imported.</source>
            <translation>这份数据中没有购买记录：导入含购买的日志之前，无法学习购买意向。</translation>
        </message>
        <message>
            <source>1 event is an exact duplicate (same customer, time, event and item): the shop's export may list some events twice.</source>
            <translation>有 1 个事件完全重复（同一客户、时间、事件和商品）：店铺的导出可能把某些事件列了两次。</translation>
        </message>
        <message>
            <source>{0:,} events are exact duplicates (same customer, time, event and item): the shop's export may list some events twice.</source>
            <translation>有 {0:,} 个事件完全重复（同一客户、时间、事件和商品）：店铺的导出可能把某些事件列了两次。</translation>
        </message>
        <message>
            <source>1 event falls outside the main period {1} to {2}: check its date (test orders, wrong clocks).</source>
            <translation>有 1 个事件不在主要时段 {1} 至 {2} 内：请检查其日期（测试订单、时钟错误）。</translation>
        </message>
        <message>
            <source>{0:,} events fall outside the main period {1} to {2}: check their dates (test orders, wrong clocks).</source>
            <translation>有 {0:,} 个事件不在主要时段 {1} 至 {2} 内：请检查它们的日期（测试订单、时钟错误）。</translation>
        </message>
        <message>
            <source>1 customer has more than {1:,} views, clicks or searches in a single day: faster than a person browses, so probably a bot or a shared account.</source>
            <translation>有 1 位客户单日浏览、点击或搜索超过 {1:,} 次：比人浏览得还快，可能是机器人或共用账号。</translation>
        </message>
        <message>
            <source>{0:,} customers have more than {1:,} views, clicks or searches in a single day: faster than a person browses, so probably bots or shared accounts.</source>
            <translation>有 {0:,} 位客户单日浏览、点击或搜索超过 {1:,} 次：比人浏览得还快，可能是机器人或共用账号。</translation>
        </message>
        <message>
            <source>1 purchase ({1}) lacks a price or amount: the revenue figures leave it out.</source>
            <translation>有 1 笔购买（{1}）缺少价格或金额：营收数字不包含它。</translation>
        </message>
        <message>
            <source>{0:,} purchases ({1}) lack a price or amount: the revenue figures leave them out.</source>
            <translation>有 {0:,} 笔购买（{1}）缺少价格或金额：营收数字不包含它们。</translation>
        </message>
        <message>
            <source>1 line could not be imported; File → Export rejected lines shows it with its line number and reason.</source>
            <translation>有 1 行无法导入；“文件 → 导出被拒绝的行”会列出它的行号和原因。</translation>
        </message>
        <message>
            <source>{0:,} lines could not be imported; File → Export rejected lines shows each with its line number and reason.</source>
            <translation>有 {0:,} 行无法导入；“文件 → 导出被拒绝的行”会列出每行的行号和原因。</translation>
        </message>
        <message>
            <source>activity in {0}</source>
            <translation>{0} 品类的活动</translation>
        </message>
        <message>
            <source>view {0:.1f}x more items per purchase than average</source>
            <translation>每次购买浏览的商品数是平均的 {0:.1f} 倍</translation>
        </message>
        <message>
            <source>{0} of customers, {1} of revenue</source>
            <translation>占客户的 {0}，占收入的 {1}</translation>
        </message>
        <message>
            <source>unnamed category</source>
            <translation>未命名品类</translation>
        </message>
        <message>
            <source>activity: {0} (average {1} {2})</source>
            <translation>活动：{0}（平均 {1} {2}）</translation>
        </message>
        <message>
            <source>{0} of activity on weekends (average {1})</source>
            <translation>{0} 的活动在周末（平均 {1}）</translation>
        </message>
        <message>
            <source>typical item price {0:.2f} vs {1:.2f} overall</source>
            <translation>典型商品价格 {0:.2f}，整体为 {1:.2f}</translation>
        </message>
        <message>
            <source>search {0:.1f}x more than average</source>
            <translation>搜索次数是平均的 {0:.1f} 倍</translation>
        </message>
        <message>
            <source>favorite {0:.1f}x more than average</source>
            <translation>收藏次数是平均的 {0:.1f} 倍</translation>
        </message>
        <message>
            <source>spend {0:.1f}x the average per customer</source>
            <translation>人均消费是平均的 {0:.1f} 倍</translation>
        </message>
        <message>
            <source>last active {0:.0f} days ago (median, {1:.0f} for all customers)</source>
            <translation>最近活跃于 {0:.0f} 天前（中位数，全体客户为 {1:.0f}）</translation>
        </message>
        <message>
            <source>average purchase intent {0:.0%}</source>
            <translation>平均购买意向 {0:.0%}</translation>
        </message>
        <message>
            <source>{0} of activity in the evening (average {1})</source>
            <translation>{0} 的活动在晚上（平均 {1}）</translation>
        </message>
        <message>
            <source>buy on {0:.1f} days vs {1:.1f} on average, in small baskets</source>
            <translation>在 {0:.1f} 天有购买（平均 {1:.1f} 天），每单金额小</translation>
        </message>
        <message>
            <source>abandon {0} of carts (average {1})</source>
            <translation>放弃 {0} 的购物车（平均 {1}）</translation>
        </message>
        <message>
            <source>buy on {0:.1f} days vs {1:.1f} on average</source>
            <translation>在 {0:.1f} 天有购买（平均 {1:.1f} 天）</translation>
        </message>
        <message>
            <source>twice</source>
            <translation>两倍</translation>
        </message>
        <message>
            <source>three times</source>
            <translation>三倍</translation>
        </message>
        <message>
            <source>next purchases</source>
            <translation>下一次购买的商品</translation>
        </message>
        <message>
            <source>the items customers turned to next</source>
            <translation>客户接下来关注的商品</translation>
        </message>
        <message>
            <source>{0:.1f} times</source>
            <translation>{0:.1f} 倍</translation>
        </message>
        <message>
            <source>{0} serves: it finds {1:.0%} of {2} in the top 20</source>
            <translation>采用{0}：它在前 20 个推荐中找到了 {1:.0%} 的{2}</translation>
        </message>
        <message>
            <source> and </source>
            <translation>和</translation>
        </message>
        <message>
            <source>{0}: Recall@10 {1:.1%}, Recall@20 {2:.1%}, MRR@20 {3:.3f}, NDCG@20 {4:.3f}, coverage {5:.1%} ({6:.1f} s).</source>
            <translation>{0}：Recall@10 {1:.1%}，Recall@20 {2:.1%}，MRR@20 {3:.3f}，NDCG@20 {4:.3f}，覆盖率 {5:.1%}（{6:.1f} 秒）。</translation>
        </message>
        <message>
            <source>about as well as {0}</source>
            <translation>与{0}相当</translation>
        </message>
        <message>
            <source>where popularity finds none</source>
            <translation>而热门商品一个也没找到</translation>
        </message>
        <message>
            <source>far more than popularity ({0:.1%})</source>
            <translation>远多于热门商品（{0:.1%}）</translation>
        </message>
        <message>
            <source>{0} as many as popularity</source>
            <translation>是热门商品的{0}</translation>
        </message>
        <message>
            <source>There are no recommendations yet: train recommendations first.</source>
            <translation>还没有推荐：请先训练商品推荐。</translation>
        </message>
        <message>
            <source>recommended by the model</source>
            <translation>由模型推荐</translation>
        </message>
        <message>
            <source>once</source>
            <translation>1 次</translation>
        </message>
        <message>
            <source>less than a day ago</source>
            <translation>不到一天前</translation>
        </message>
        <message>
            <source>this week</source>
            <translation>本周</translation>
        </message>
        <message>
            <source>today</source>
            <translation>今天</translation>
        </message>
        <message>
            <source>in their cart</source>
            <translation>在其购物车中</translation>
        </message>
        <message>
            <source>in their favorites</source>
            <translation>在其收藏夹中</translation>
        </message>
        <message>
            <source>customers with a similar history chose it</source>
            <translation>经历相似的客户选择了它</translation>
        </message>
        <message>
            <source>{0:,} times</source>
            <translation>{0:,} 次</translation>
        </message>
        <message>
            <source>{0:,} days ago</source>
            <translation>{0:,} 天前</translation>
        </message>
        <message>
            <source>in the last {0:,} days</source>
            <translation>最近 {0:,} 天内</translation>
        </message>
        <message>
            <source>1 basket</source>
            <translation>1 个订单</translation>
        </message>
        <message>
            <source>1 buyer</source>
            <translation>1 位买家</translation>
        </message>
        <message>
            <source>1 customer</source>
            <translation>1 位客户</translation>
        </message>
        <message>
            <source>bought {0}, last {1}</source>
            <translation>购买过 {0}，最近一次在{1}</translation>
        </message>
        <message>
            <source>viewed {0} this week</source>
            <translation>本周浏览过 {0}</translation>
        </message>
        <message>
            <source>viewed {0}, last {1}</source>
            <translation>浏览过 {0}，最近一次在{1}</translation>
        </message>
        <message>
            <source>often bought with {0} ({1})</source>
            <translation>常与{0}一起购买（{1}）</translation>
        </message>
        <message>
            <source>often bought after {0} ({1})</source>
            <translation>常在{0}之后购买（{1}）</translation>
        </message>
        <message>
            <source>often chosen after {0} ({1})</source>
            <translation>常在{0}之后被选中（{1}）</translation>
        </message>
        <message>
            <source>popular {0} ({1})</source>
            <translation>{0}热门（{1}）</translation>
        </message>
        <message>
            <source>bought once, {0}</source>
            <translation>购买过 1 次，{0}</translation>
        </message>
        <message>
            <source>{0:,} baskets</source>
            <translation>{0:,} 个订单</translation>
        </message>
        <message>
            <source>bought with {0} ({1})</source>
            <translation>与{0}一起购买过（{1}）</translation>
        </message>
        <message>
            <source>bought after {0} ({1})</source>
            <translation>在{0}之后购买过（{1}）</translation>
        </message>
        <message>
            <source>chosen after {0} ({1})</source>
            <translation>在{0}之后被选中过（{1}）</translation>
        </message>
        <message>
            <source>{0:,} buyers</source>
            <translation>{0:,} 位买家</translation>
        </message>
        <message>
            <source>{0:,} customers</source>
            <translation>{0:,} 位客户</translation>
        </message>
        <message>
            <source>{0} {1} are not in the data, so they were left out of the rules: {2}.</source>
            <translation>{0} 个{1}不在数据中，因此没有用于规则：{2}。</translation>
        </message>
        <message>
            <source>Items a customer bought are never recommended to them again.</source>
            <translation>客户买过的商品不会再推荐给他们。</translation>
        </message>
        <message>
            <source>The {0} “{1}” is not in the data, so it was left out of the rules.</source>
            <translation>{0}“{1}”不在数据中，因此没有用于规则。</translation>
        </message>
        <message>
            <source>Items a customer bought may be recommended to them again.</source>
            <translation>客户买过的商品可能会再次推荐给他们。</translation>
        </message>
        <message>
            <source>The file “{0}” does not exist: give the item ids themselves, or a text or CSV file that lists them.</source>
            <translation>文件“{0}”不存在：请直接填写商品编号，或提供列出它们的文本或 CSV 文件。</translation>
        </message>
        <message>
            <source>item</source>
            <translation>商品</translation>
        </message>
        <message>
            <source>items</source>
            <translation>商品</translation>
        </message>
        <message>
            <source> and {0} more</source>
            <translation> 等另外 {0} 个</translation>
        </message>
        <message>
            <source>{0:,} items are never recommended.</source>
            <translation>有 {0:,} 件商品从不推荐。</translation>
        </message>
        <message>
            <source>Only from: {0}.</source>
            <translation>只从这些品类推荐：{0}。</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>（无）</translation>
        </message>
        <message>
            <source>There is no category {0} in the data: the categories are {1}.</source>
            <translation>数据中没有品类 {0}：现有的品类是 {1}。</translation>
        </message>
        <message>
            <source>There are no categories {0} in the data: the categories are {1}.</source>
            <translation>数据中没有品类 {0}：现有的品类是 {1}。</translation>
        </message>
        <message>
            <source>Customers buy the same item again in {0:.0%} of purchases; below {1:.0%} in a category, what they bought there is left out.</source>
            <translation>客户在 {0:.0%} 的购买中会回购同一商品；某品类低于 {1:.0%} 时，不再推荐在该品类买过的商品。</translation>
        </message>
        <message>
            <source>Left out once bought: {0}.</source>
            <translation>买过后不再推荐：{0}。</translation>
        </message>
        <message>
            <source>Recommended again: {0}.</source>
            <translation>可再次推荐：{0}。</translation>
        </message>
        <message>
            <source>the last day</source>
            <translation>最后一天</translation>
        </message>
        <message>
            <source>There are no events to learn from.</source>
            <translation>没有可以学习的事件。</translation>
        </message>
        <message>
            <source>No event names an item a customer viewed, carted, favorited or bought, so there is nothing to recommend.</source>
            <translation>没有任何事件写明客户浏览、加购、收藏或购买的商品，因此无从推荐。</translation>
        </message>
        <message>
            <source>Enough data: {0:,} customers, {1:,} items; measured on {2:,} customers active before and in {3}.</source>
            <translation>数据足够：{0:,} 位客户，{1:,} 件商品；在 {2:,} 位于{3}之前和期间都活跃的客户上评估。</translation>
        </message>
        <message>
            <source>the last {0} days</source>
            <translation>最近 {0} 天</translation>
        </message>
        <message>
            <source>The blend is left out: too few customers were active in the period before the latest one to learn from.</source>
            <translation>不使用组合方法：在最近时段之前的时段中活跃的客户太少，无法学习。</translation>
        </message>
        <message>
            <source>The blend is left out: the methods' candidates held too few of the items customers turned to in the period before the latest one.</source>
            <translation>不使用组合方法：在最近时段之前的时段中，各方法的候选商品很少包含客户接下来关注的商品。</translation>
        </message>
        <message>
            <source>Only {0:,} customers were active both before and in {1}: each customer's activity lasts less than a day (the log's customers look like single visits), and recommendations are measured on customers who come back.</source>
            <translation>只有 {0:,} 位客户在{1}之前和期间都活跃：每位客户的活动不到一天（日志中的客户看起来是单次访问），而推荐是在回访的客户上评估的。</translation>
        </message>
        <message>
            <source>Only {0:,} customers were active both before and in {1}, too few to measure recommendations (at least {2}): choose a longer horizon or a later date.</source>
            <translation>只有 {0:,} 位客户在{1}之前和期间都活跃，太少，无法评估推荐（至少需要 {2} 位）：请选择更长的天数或更晚的日期。</translation>
        </message>
        <message>
            <source>Recommended up to {0} items to each of {1:,} customers.</source>
            <translation>已为 {1:,} 位客户每人推荐最多 {0} 件商品。</translation>
        </message>
        <message>
            <source>The neural model is left out: {0}</source>
            <translation>不使用神经网络模型：{0}</translation>
        </message>
        <message>
            <source>Ranking every customer: {0:,} of {1:,} done.</source>
            <translation>正在为每位客户排序：已完成 {1:,} 位中的 {0:,} 位。</translation>
        </message>
        <message>
            <source>Whole shop over the next {0} weeks: about {1:,.0f} units sold and {2} in revenue (as likely to be beaten as missed). Method: {3}.</source>
            <translation>全店未来 {0} 周：预计售出约 {1:,.0f} 件，收入约 {2}（实际高于或低于它的可能性相同）。方法：{3}。</translation>
        </message>
        <message>
            <source>Whole shop over the next {0} days: about {1:,.0f} units sold and {2} in revenue (as likely to be beaten as missed). Method: {3}.</source>
            <translation>全店未来 {0} 天：预计售出约 {1:,.0f} 件，收入约 {2}（实际高于或低于它的可能性相同）。方法：{3}。</translation>
        </message>
        <message>
            <source>The project has no events yet: import your shop's behavior log first.</source>
            <translation>项目中还没有行为数据：请先导入您店铺的行为日志。</translation>
        </message>
        <message>
            <source>No segments yet: train customer profiles to see them.</source>
            <translation>还没有客户分群：训练客户画像后即可看到。</translation>
        </message>
        <message>
            <source>Train a purchase-intent model to see whom to contact first.</source>
            <translation>训练购买意向模型后，即可看到应优先联系哪些客户。</translation>
        </message>
        <message>
            <source>The most profitable campaign contacts the first {0:,} of {1:,} customers: about {2:,.0f} of them should buy, bringing about {3} in orders and {4} profit (at a {5:g}% margin and {6} per contact, as on the Campaign page).</source>
            <translation>利润最高的营销活动联系 {1:,} 位客户中的前 {0:,} 位：其中约 {2:,.0f} 位会购买，带来约 {3} 的订单和 {4} 的利润（按 {5:g}% 的利润率和每次联系 {6} 计算，与“营销活动”页面相同）。</translation>
        </message>
        <message>
            <source>customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>events</source>
            <translation>行为</translation>
        </message>
        <message>
            <source>purchases</source>
            <translation>购买</translation>
        </message>
        <message>
            <source>revenue (refunds subtracted)</source>
            <translation>收入（已扣除退款）</translation>
        </message>
        <message>
            <source>{0} of them are in the segment “{1}”.</source>
            <translation>其中 {0} 位属于分群“{1}”。</translation>
        </message>
        <message>
            <source>IntentLens report: {0}</source>
            <translation>IntentLens 报告：{0}</translation>
        </message>
        <message>
            <source>Your data</source>
            <translation>您的数据</translation>
        </message>
        <message>
            <source>What the models say</source>
            <translation>模型结论</translation>
        </message>
        <message>
            <source>Segments</source>
            <translation>客户分群</translation>
        </message>
        <message>
            <source>Who to contact first</source>
            <translation>优先联系谁</translation>
        </message>
        <message>
            <source>Made on {0} by IntentLens, from the project “{1}”. Everything was computed on this computer.</source>
            <translation>由 IntentLens 于 {0} 根据项目“{1}”生成。所有计算都在这台电脑上完成。</translation>
        </message>
        <message>
            <source>measured on {0}</source>
            <translation>检验范围：{0}</translation>
        </message>
        <message>
            <source>measured by a backtest from {0}</source>
            <translation>检验方式：从 {0} 起的一次回测</translation>
        </message>
        <message>
            <source>measured by backtests from {0} to {1}</source>
            <translation>检验方式：从 {0} 到 {1} 的回测</translation>
        </message>
        <message>
            <source>measured on the latest {0:,} days up to {1}</source>
            <translation>检验范围：截至 {1} 的最近 {0:,} 天</translation>
        </message>
        <message>
            <source>learned from the data up to {0}</source>
            <translation>学习了截至 {0} 的数据</translation>
        </message>
        <message>
            <source>Not trained yet: {0}.</source>
            <translation>尚未训练：{0}。</translation>
        </message>
        <message>
            <source>All of them are in the segment “{0}”.</source>
            <translation>他们全部属于分群“{0}”。</translation>
        </message>
        <message>
            <source>Sales forecast</source>
            <translation>销量预测</translation>
        </message>
        <message>
            <source>“{0}”: a report is written as .html or .pdf; give the file one of these endings.</source>
            <translation>“{0}”：报告只能保存为 .html 或 .pdf，请使用其中一种文件扩展名。</translation>
        </message>
        <message>
            <source>out of date: a customer was forgotten</source>
            <translation>已过期：有客户被删除</translation>
        </message>
        <message>
            <source>The {0} customers likeliest to buy within {1} days, as of {2}.</source>
            <translation>截至 {2}，{1} 天内最可能购买的 {0} 位客户。</translation>
        </message>
        <message>
            <source>The {0} customers likeliest to buy, as of {1}.</source>
            <translation>截至 {1}，最可能购买的 {0} 位客户。</translation>
        </message>
        <message>
            <source>{0:,} days</source>
            <translation>{0:,} 天</translation>
        </message>
        <message>
            <source>{0} to {1}</source>
            <translation>{0} 至 {1}</translation>
        </message>
        <message>
            <source>Data health:</source>
            <translation>数据质量：</translation>
        </message>
        <message>
            <source>Data health: no problems found.</source>
            <translation>数据质量：未发现问题。</translation>
        </message>
        <message>
            <source>Segment</source>
            <translation>分群</translation>
        </message>
        <message>
            <source>Customers</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>Share</source>
            <translation>占比</translation>
        </message>
        <message>
            <source>What sets them apart</source>
            <translation>他们的特点</translation>
        </message>
        <message>
            <source>Customer</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>Chance to buy</source>
            <translation>购买概率</translation>
        </message>
        <message>
            <source>… and {0:,} more on the Data page.</source>
            <translation>……另有 {0:,} 条，见“数据”页面。</translation>
        </message>
        <message>
            <source>active</source>
            <translation>当前使用</translation>
        </message>
        <message>
            <source>warm start</source>
            <translation>继续训练</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>已停止</translation>
        </message>
        <message>
            <source>the data starts on {0}; choose that day or a later one</source>
            <translation>数据从 {0} 开始；请选择这一天或之后的日期</translation>
        </message>
        <message>
            <source>the data ends on {0}; choose that day or an earlier one</source>
            <translation>数据截止于 {0}；请选择那一天或更早的日期</translation>
        </message>
        <message>
            <source>Reading the events…</source>
            <translation>正在读取行为…</translation>
        </message>
        <message>
            <source>The as-of date cannot be used: {0}.</source>
            <translation>无法使用该截至日期：{0}。</translation>
        </message>
        <message>
            <source>Building each customer's history from {0:,} events…</source>
            <translation>正在根据 {0:,} 条行为整理每位客户的历史…</translation>
        </message>
        <message>
            <source>There is no run {0} in this project.</source>
            <translation>此项目中没有第 {0} 次训练。</translation>
        </message>
        <message>
            <source>Order values checked on the latest {0} days: for the {1:,} customers who ordered then, the expected order value was off by {2:,.2f} on average, against {3:,.2f} for “everyone spends the shop average”.</source>
            <translation>订单金额已在最近 {0} 天上检验：对在此期间下单的 {1:,} 位客户，预计订单金额平均偏差 {2:,.2f}，而“人人按店铺平均值消费”的偏差为 {3:,.2f}。</translation>
        </message>
        <message>
            <source>That is no better than the shop average, so read the money figures as rough.</source>
            <translation>这并不比店铺平均值更好，因此金额数字只能作粗略参考。</translation>
        </message>
        <message>
            <source>Order values could not be checked: nobody ordered in the latest {0} days, or nobody before them.</source>
            <translation>无法检验订单金额：最近 {0} 天内或之前没有人下单。</translation>
        </message>
        <message>
            <source>Error of the best method at each backtest date (1.0 = off by 100%)</source>
            <translation>各回测日期上最佳方法的误差（1.0 = 偏差 100%）</translation>
        </message>
        <message>
            <source> (serves)</source>
            <translation>（采用）</translation>
        </message>
        <message>
            <source>Backtest from {0} ({1}):</source>
            <translation>回测起点 {0}（按{1}）：</translation>
        </message>
        <message>
            <source>{0}, {1} WAPE {2:.0%}</source>
            <translation>{0}，{1} WAPE {2:.0%}</translation>
        </message>
        <message>
            <source>backtest WAPE (best method)</source>
            <translation>回测 WAPE（最佳方法）</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>方法</translation>
        </message>
        <message>
            <source>How far off each method was on the shop's own past (backtest from {0} dates; lower is better, P10–P90 should hold about 80%)</source>
            <translation>各方法在店铺自身历史数据上的偏差（基于 {0} 个回测日期；越低越好，P10–P90 应覆盖约 80%）</translation>
        </message>
        <message>
            <source>From each customer's totals (customer value model):</source>
            <translation>来自每位客户的累计数据（客户价值模型）：</translation>
        </message>
        <message>
            <source>Stopped early; this is the best model so far. </source>
            <translation>已提前停止；这是目前最好的模型。</translation>
        </message>
        <message>
            <source>ROC: buyers found vs others flagged</source>
            <translation>ROC：找到的购买者与误标的其他客户</translation>
        </message>
        <message>
            <source>share of non-buyers flagged</source>
            <translation>被误标的非购买者比例</translation>
        </message>
        <message>
            <source>share of buyers found</source>
            <translation>找到的购买者比例</translation>
        </message>
        <message>
            <source>Precision vs recall</source>
            <translation>精确率与召回率</translation>
        </message>
        <message>
            <source>recall</source>
            <translation>召回率</translation>
        </message>
        <message>
            <source>precision</source>
            <translation>精确率</translation>
        </message>
        <message>
            <source>Lift: buyer rate in the top X% vs average</source>
            <translation>提升度：前 X% 客户的购买率与平均水平之比</translation>
        </message>
        <message>
            <source>share of customers contacted</source>
            <translation>联系的客户比例</translation>
        </message>
        <message>
            <source>From the order of their steps (the sequence model, which gives the scores; each effect comes on top of what the customer's totals already say):</source>
            <translation>来自客户操作的先后顺序（序列模型，由它给出分数；每项影响都是在客户累计数据已说明的部分之外的）：</translation>
        </message>
        <message>
            <source> (serves the scores)</source>
            <translation>（采用其评分）</translation>
        </message>
        <message>
            <source>Validation AUC (higher is better)</source>
            <translation>验证 AUC（越高越好）</translation>
        </message>
        <message>
            <source>prec</source>
            <translation>精确率</translation>
        </message>
        <message>
            <source>acc</source>
            <translation>准确率</translation>
        </message>
        <message>
            <source>lift10</source>
            <translation>前10%提升</translation>
        </message>
        <message>
            <source>deep minus this (95% interval)</source>
            <translation>深度模型减去此方法（95% 区间）</translation>
        </message>
        <message>
            <source>What makes customers buy here</source>
            <translation>客户在这里购买的原因</translation>
        </message>
        <message>
            <source>Intent</source>
            <translation>意向</translation>
        </message>
        <message>
            <source>Rank</source>
            <translation>排名</translation>
        </message>
        <message>
            <source>Purchase intent</source>
            <translation>购买意向</translation>
        </message>
        <message>
            <source>What moved the score most</source>
            <translation>影响评分最多的行为</translation>
        </message>
        <message>
            <source>Measured on the latest period ({0}).</source>
            <translation>在最近一个周期（{0}）上评估。</translation>
        </message>
        <message>
            <source>The active model is damaged or was made by another version, so it cannot be a starting point: train without warm start.</source>
            <translation>当前模型已损坏或由其他版本生成，无法作为起点：请不勾选“从当前模型继续训练”重新训练。</translation>
        </message>
        <message>
            <source>Validation on the latest cutoff ({0:,} customers; trained on {1:,} examples):</source>
            <translation>在最近一个截止时段上的验证（{0:,} 位客户；用 {1:,} 个样本训练）：</translation>
        </message>
        <message>
            <source>Train a purchase-intent model to see reasons.</source>
            <translation>训练购买意向模型后即可查看原因。</translation>
        </message>
        <message>
            <source>The deep model's AUC minus this method's: {0} (95% interval {1} to {2}; paired bootstrap over the customers, 1,000 draws).</source>
            <translation>深度模型的 AUC 减去此方法的 AUC：{0}（95% 区间 {1} 至 {2}；对客户做配对自助抽样，1,000 次）。</translation>
        </message>
        <message>
            <source>lift</source>
            <translation>提升度</translation>
        </message>
        <message>
            <source>From the order of their steps (the sequence model; the scores come from the simpler method “{0}”; each effect comes on top of what the customer's totals already say):</source>
            <translation>来自客户操作的先后顺序（序列模型；分数来自更简单的方法“{0}”；每项影响都是在客户累计数据已说明的部分之外的）：</translation>
        </message>
        <message>
            <source>training (per epoch)</source>
            <translation>训练（每轮）</translation>
        </message>
        <message>
            <source>validation</source>
            <translation>验证</translation>
        </message>
        <message>
            <source>How well it predicts (latest period, never seen in training)</source>
            <translation>预测效果（最近时段，训练中从未见过）</translation>
        </message>
        <message>
            <source>model: {0}</source>
            <translation>模型：{0}</translation>
        </message>
        <message>
            <source>Rank {0:,} of {1:,} (as of {2}).</source>
            <translation>排名第 {0:,} / {1:,}（截至 {2}）。</translation>
        </message>
        <message>
            <source>Working out what moved the score…</source>
            <translation>正在分析影响评分的因素…</translation>
        </message>
        <message>
            <source>No single event moved the score noticeably.</source>
            <translation>没有哪一条行为明显影响评分。</translation>
        </message>
        <message>
            <source>method</source>
            <translation>方法</translation>
        </message>
        <message>
            <source>This score comes from the simpler method “{0}”, which ranked buyers at least as well as the deep model on the latest period: it reads the customer's totals (purchase days, recency, spend), not single events.</source>
            <translation>此评分来自更简单的方法“{0}”，它在最近一个周期上找出买家的效果不逊于深度模型：它看的是客户的汇总数据（购买天数、距上次购买时间、消费），而不是单个行为。</translation>
        </message>
        <message>
            <source>Segments need at least 3 customers with events before the as-of date: choose a later date or import more data.</source>
            <translation>分群需要至少 3 位在截至日期前有行为的客户：请选择更晚的日期或导入更多数据。</translation>
        </message>
        <message>
            <source>Found {0} segments: {1}. Stability across two seeds (adjusted Rand index): {2:.2f}. See them on the Segments page.</source>
            <translation>找到 {0} 个分群：{1}。两个随机种子间的稳定性（调整兰德指数）：{2:.2f}。请在“客户分群”页查看。</translation>
        </message>
        <message>
            <source>Enough data: {0:,} customers to profile.</source>
            <translation>数据充足：可为 {0:,} 位客户建立画像。</translation>
        </message>
        <message>
            <source>{0} segments</source>
            <translation>{0} 个分群</translation>
        </message>
        <message>
            <source>Segment: {0}.</source>
            <translation>分群：{0}。</translation>
        </message>
        <message>
            <source>No recommendations for this customer in the active run.</source>
            <translation>当前启用的运行中没有给这位客户的推荐。</translation>
        </message>
        <message>
            <source>Next item</source>
            <translation>下一件商品</translation>
        </message>
        <message>
            <source>Recommended next</source>
            <translation>接下来推荐</translation>
        </message>
        <message>
            <source>Measured on the latest {0} days ({1:,} customers active before and after):</source>
            <translation>在最近 {0} 天上评估（{1:,} 位在此前后都活跃的客户）：</translation>
        </message>
        <message>
            <source>Top pick: {0}.</source>
            <translation>首选：{0}。</translation>
        </message>
        <message>
            <source>How well each method finds what customers turned to next (latest period, never seen in training)</source>
            <translation>各方法找到客户接下来所关注商品的能力（最近时段，训练中从未见过）</translation>
        </message>
        <message>
            <source>{0}, NDCG@20 {1:.3f}</source>
            <translation>{0}，NDCG@20 {1:.3f}</translation>
        </message>
        <message>
            <source>Moving towards {0}: {1:.0%} → {2:.0%} of their activity</source>
            <translation>正在转向{0}：占其活动的 {1:.0%} → {2:.0%}</translation>
        </message>
        <message>
            <source>What makes customers buy here (latest period, the most telling first):</source>
            <translation>是什么让客户在这里购买（最近一个周期，最能说明问题的在前）：</translation>
        </message>
        <message>
            <source>No value prediction for this customer.</source>
            <translation>暂无该客户的价值预测。</translation>
        </message>
        <message>
            <source>Next order</source>
            <translation>下次下单</translation>
        </message>
        <message>
            <source>Churn risk</source>
            <translation>流失风险</translation>
        </message>
        <message>
            <source>No next-order date: it needs purchases on two days or more.</source>
            <translation>无法给出下次下单日期：客户需在至少两个不同日期有过购买。</translation>
        </message>
        <message>
            <source>Customer value</source>
            <translation>客户价值</translation>
        </message>
        <message>
            <source>Each prediction checked on the latest period against simple methods</source>
            <translation>每项预测都在最近一个周期上与简单方法对比检验</translation>
        </message>
        <message>
            <source>Next order expected around {0} (likely {1} to {2}): from the gaps between their purchase days and the time already waited.</source>
            <translation>预计下次下单在 {0} 前后（可能在 {1} 至 {2} 之间）：依据其各次购买日期之间的间隔和已等待的时间。</translation>
        </message>
        <message>
            <source>Churn risk {0}: {1:.0%} chance of no order in the next {2:.0f} days, from how recently and how often they bought and browsed.</source>
            <translation>流失风险{0}：未来 {2:.0f} 天内不下单的可能性为 {1:.0%}，依据其最近购买和浏览的时间与频率。</translation>
        </message>
        <message>
            <source>expected spend off by {0:,.2f} per customer</source>
            <translation>每位客户的预计消费偏差 {0:,.2f}</translation>
        </message>
        <message>
            <source>likely {0} to {1}</source>
            <translation>可能在 {0} 至 {1} 之间</translation>
        </message>
        <message>
            <source>{0:.0%} chance of no order in {1:.0f} days</source>
            <translation>{1:.0f} 天内不下单的可能性 {0:.0%}</translation>
        </message>
        <message>
            <source>far more</source>
            <translation>远远更</translation>
        </message>
        <message>
            <source>{0} under {1}: bought {2} as often as the rest ({3:.0%} against {4:.0%})</source>
            <translation>{0}低于 {1}：购买频率是其余客户的 {2}（{3:.0%} 对 {4:.0%}）</translation>
        </message>
        <message>
            <source>{0} {1} or more: bought {2} as often as the rest ({3:.0%} against {4:.0%})</source>
            <translation>{0}达到 {1} 或以上：购买频率是其余客户的 {2}（{3:.0%} 对 {4:.0%}）</translation>
        </message>
        <message>
            <source>{0} at most {1}: bought {2} as often as the rest ({3:.0%} against {4:.0%})</source>
            <translation>{0}至多 {1}：购买频率是其余客户的 {2}（{3:.0%} 对 {4:.0%}）</translation>
        </message>
        <message>
            <source>{0:.1f}×</source>
            <translation>{0:.1f} 倍</translation>
        </message>
        <message>
            <source>{0} over {1}: bought {2} as often as the rest ({3:.0%} against {4:.0%})</source>
            <translation>{0}超过 {1}：购买频率是其余客户的 {2}（{3:.0%} 对 {4:.0%}）</translation>
        </message>
        <message>
            <source>enough for expected spend</source>
            <translation>足以计算预计消费</translation>
        </message>
        <message>
            <source>enough for next-order dates</source>
            <translation>足以预测下次下单日期</translation>
        </message>
        <message>
            <source>expected spend needs prices or amounts in the log</source>
            <translation>预期消费需要日志中有价格或金额</translation>
        </message>
        <message>
            <source>{0:,} customers bought in the last {1} days: {2}; {3:,} customers bought on two days or more: {4}; {5:,} have 3+ orders.</source>
            <translation>最近 {1} 天内有 {0:,} 位客户购买：{2}；{3:,} 位客户在两天或以上有购买：{4}；{5:,} 位客户下过 3 单及以上。</translation>
        </message>
        <message>
            <source>Customer value was stopped; nothing was saved.</source>
            <translation>客户价值计算已停止；未保存任何内容。</translation>
        </message>
        <message>
            <source>next-order dates need {0}</source>
            <translation>下次下单日期至少需要 {0} 位</translation>
        </message>
        <message>
            <source>expected spend needs {0}</source>
            <translation>预计消费至少需要 {0} 位</translation>
        </message>
        <message>
            <source>The log is too short to check customer value: it needs two periods of {0} days before the as-of date.</source>
            <translation>日志太短，无法检验客户价值：截至日期之前需要有两个 {0} 天的周期。</translation>
        </message>
        <message>
            <source>Customer value needs at least {0} customers who bought in the last {1} days: choose a longer horizon, or import more orders.</source>
            <translation>客户价值需要至少 {0} 位在最近 {1} 天内购买过的客户：请选择更长的时间范围，或导入更多订单。</translation>
        </message>
        <message>
            <source>Checked expected spend on the latest {0} days.</source>
            <translation>已在最近 {0} 天上检验预计消费。</translation>
        </message>
        <message>
            <source>Checked next-order dates on {0:,} customers.</source>
            <translation>已用 {0:,} 位客户检验下次下单日期。</translation>
        </message>
        <message>
            <source>Checked churn risk with a window of {0:.0f} days.</source>
            <translation>已用 {0:.0f} 天的窗口检验流失风险。</translation>
        </message>
        <message>
            <source>Predicted value, next order and churn for {0:,} customers.</source>
            <translation>已为 {0:,} 位客户预测价值、下次下单和流失风险。</translation>
        </message>
        <message>
            <source>finds the big spenders better than their own spend rate does</source>
            <translation>比按客户自身消费速度更能找出大额消费者</translation>
        </message>
        <message>
            <source>finds the big spenders less well than their own spend rate does</source>
            <translation>找出大额消费者的效果不如按客户自身消费速度</translation>
        </message>
        <message>
            <source>finds the big spenders about as well as their own spend rate does</source>
            <translation>找出大额消费者的效果与按客户自身消费速度相当</translation>
        </message>
        <message>
            <source>its overall error is smaller beyond chance</source>
            <translation>整体误差明显更小（超出偶然范围）</translation>
        </message>
        <message>
            <source>its overall error is larger beyond chance</source>
            <translation>整体误差明显更大（超出偶然范围）</translation>
        </message>
        <message>
            <source>its overall error is no different beyond chance</source>
            <translation>整体误差没有超出偶然范围的差别</translation>
        </message>
        <message>
            <source>95% interval {0}{2} to {1}{2}</source>
            <translation>95% 区间 {0}{2} 至 {1}{2}</translation>
        </message>
        <message>
            <source>the model does about as well as {0} ({1}).</source>
            <translation>模型与{0}效果相当（{1}）。</translation>
        </message>
        <message>
            <source>Next-order dates could not be checked: too few customers bought again in the latest {0} days.</source>
            <translation>无法检验下次下单日期：最近 {0} 天内再次购买的客户太少。</translation>
        </message>
        <message>
            <source>Expected spend could not be checked: the log has no prices or amounts, so every spend is 0.</source>
            <translation>无法检验预期消费：日志中没有价格或金额，因此所有消费都为 0。</translation>
        </message>
        <message>
            <source>the model beats {0} ({1}).</source>
            <translation>模型优于{0}（{1}）。</translation>
        </message>
        <message>
            <source>{0} does better ({1}).</source>
            <translation>{0}效果更好（{1}）。</translation>
        </message>
        <message>
            <source>The model {0}, and {1}.</source>
            <translation>该模型{0}，并且{1}。</translation>
        </message>
        <message>
            <source>So it beats their own spend rate by this check's rule: it must find the big spenders better, with no larger overall error.</source>
            <translation>因此按本检验的规则，它胜过客户自身的消费速度：规则要求更能找出大额消费客户，且总体误差不更大。</translation>
        </message>
        <message>
            <source>So it does not beat their own spend rate by this check's rule: it must find the big spenders better, with no larger overall error.</source>
            <translation>因此按本检验的规则，它没有胜过客户自身的消费速度：规则要求更能找出大额消费客户，且总体误差不更大。</translation>
        </message>
        <message>
            <source>The model {0}.</source>
            <translation>该模型{0}。</translation>
        </message>
        <message>
            <source>For the model, {0}.</source>
            <translation>就该模型而言，{0}。</translation>
        </message>
        <message>
            <source>Next-order dates, checked on the {0:,} customers who had bought on two days or more by {1}, followed for {2:.0f} days: {3:,} ordered again and {10:,} ({4:.0%}) did not, and those count too (a date guessed before the end of the {2:.0f} days is wrong by at least the days left until then). The median error is {5:.1f} days, against {6:.1f} for “last purchase + their mean gap” and {7:.1f} for guessing the shop's usual gap of {8:.0f} days for everyone; {9}</source>
            <translation>下次下单日期：检验对象是截至 {1} 已在两天或更多天购买过的 {0:,} 位客户，跟踪 {2:.0f} 天：{3:,} 位再次下单，{10:,} 位（{4:.0%}）没有再下单，这些客户也计入（若猜测的日期早于这 {2:.0f} 天结束，至少错了到结束为止剩下的天数）。误差中位数为 {5:.1f} 天，而“上次购买 + 平均间隔”为 {6:.1f} 天，给每位客户都猜店铺的常见间隔 {8:.0f} 天则为 {7:.1f} 天；{9}</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>“last purchase + their mean gap”</source>
            <translation>“上次购买 + 平均间隔”</translation>
        </message>
        <message>
            <source>Next-order dates, checked on {0:,} customers who bought again: the median error is {1:.1f} days, against {2:.1f} for “last purchase + their mean gap”; {3}</source>
            <translation>下次下单日期（在 {0:,} 位再次购买的客户上检验）：误差中位数为 {1:.1f} 天，而“上次购买 + 平均间隔”为 {2:.1f} 天；{3}</translation>
        </message>
        <message>
            <source>Next-order dates could not be checked: too few customers had bought on two days or more {0:.0f} days before the as-of date.</source>
            <translation>无法检验下次下单日期：在截止日期前 {0:.0f} 天时，在两天或更多天购买过的客户太少。</translation>
        </message>
        <message>
            <source>Churn risk (no order within {0:.0f} days), checked from {5} on {1:,} buyers, each scored by a model that never saw them: AUC {2:.2f} against {3:.2f} for the days since their last purchase; {4} High means 70% or more, Medium 40–70%, Low under 40%.</source>
            <translation>流失风险（{0:.0f} 天内不下单），从 {5} 起以 {1:,} 位买家检验，每位都由未见过其数据的模型评分：AUC {2:.2f}，而“距上次购买的天数”为 {3:.2f}；{4}“高”表示 70% 及以上，“中”表示 40–70%，“低”表示低于 40%。</translation>
        </message>
        <message>
            <source>the days since the last purchase</source>
            <translation>“距上次购买的天数”</translation>
        </message>
        <message>
            <source>Churn risk could not be checked: the log is shorter than the churn window of {0:.0f} days plus a month.</source>
            <translation>无法检验流失风险：日志时长不足流失窗口 {0:.0f} 天再加一个月。</translation>
        </message>
        <message>
            <source>Of those who ordered again, {0:.0%} did so within the predicted range (P10–P90).</source>
            <translation>在再次下单的客户中，{0:.0%} 的下单日期落在预测范围（P10–P90）内。</translation>
        </message>
        <message>
            <source>Expected spend over {0} days, checked on {1} to {2}: the top 10% by expected spend made {7:.0%} of what was spent, against {8:.0%} for the top 10% by their own spend rate. On average it is off by {3:,.2f} per customer, against {5:,.2f} for their own past spend rate and {6:,.2f} for the shop average (most customers buy nothing in {0} days, so guessing 0 for everyone is off by only {4:,.2f}, yet finds no one).</source>
            <translation>未来 {0} 天的预计消费，在 {1} 至 {2} 期间检验：按预计消费排前 10% 的客户贡献了 {7:.0%} 的实际消费，按自身消费速度排前 10% 的客户贡献了 {8:.0%}。平均每位客户偏差 {3:,.2f}，按客户自身过往消费速度为 {5:,.2f}，按全店平均为 {6:,.2f}（大多数客户在 {0} 天内不会购买，所以给每位客户都猜 0 的偏差只有 {4:,.2f}，却找不出任何买家）。</translation>
        </message>
        <message>
            <source>customer</source>
            <translation>客户</translation>
        </message>
        <message>
            <source>time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>event</source>
            <translation>行为</translation>
        </message>
        <message>
            <source>category</source>
            <translation>类目</translation>
        </message>
        <message>
            <source>item name</source>
            <translation>商品名称</translation>
        </message>
        <message>
            <source>unit price</source>
            <translation>单价</translation>
        </message>
        <message>
            <source>quantity</source>
            <translation>数量</translation>
        </message>
        <message>
            <source>amount</source>
            <translation>金额</translation>
        </message>
        <message>
            <source>session</source>
            <translation>会话</translation>
        </message>
        <message>
            <source>search words</source>
            <translation>搜索词</translation>
        </message>
        <message>
            <source>order status</source>
            <translation>订单状态</translation>
        </message>
        <message>
            <source>refunded amount</source>
            <translation>退款金额</translation>
        </message>
        <message>
            <source>cancelled at</source>
            <translation>取消时间</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Event type</source>
            <translation>行为类型</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>商品</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>类目</translation>
        </message>
        <message>
            <source>Item name</source>
            <translation>商品名称</translation>
        </message>
        <message>
            <source>Unit price</source>
            <translation>单价</translation>
        </message>
        <message>
            <source>Quantity</source>
            <translation>数量</translation>
        </message>
        <message>
            <source>Amount (line total)</source>
            <translation>金额（行合计）</translation>
        </message>
        <message>
            <source>Session / order</source>
            <translation>会话 / 订单</translation>
        </message>
        <message>
            <source>Search words</source>
            <translation>搜索词</translation>
        </message>
        <message>
            <source>Order status</source>
            <translation>订单状态</translation>
        </message>
        <message>
            <source>Refunded amount</source>
            <translation>退款金额</translation>
        </message>
        <message>
            <source>Cancelled at</source>
            <translation>取消时间</translation>
        </message>
        <message>
            <source>none (columns are numbered)</source>
            <translation>无（各列按编号）</translation>
        </message>
        <message>
            <source>none recognised</source>
            <translation>未识别出任何列</translation>
        </message>
        <message>
            <source>Forgot customer {0}: {1}, {2} and {3} deleted, and the file compacted so nothing of them is left.</source>
            <translation>已删除客户 {0} 的信息：删除了 {1}、{2} 和 {3}，并已压缩文件，不再留下其任何信息。</translation>
        </message>
        <message>
            <source>Forgot customer {0}: {1}, {2} and {3} deleted, and the database vacuumed (the server's write-ahead log and backups keep copies until they expire).</source>
            <translation>已删除客户 {0} 的信息：删除了 {1}、{2} 和 {3}，并已清理数据库（服务器的预写日志和备份在过期前仍保留副本）。</translation>
        </message>
        <message>
            <source>no log file could be written</source>
            <translation>无法写入日志文件</translation>
        </message>
        <message>
            <source>Customer ids were replaced by pseudonyms.</source>
            <translation>客户编号已替换为假名。</translation>
        </message>
        <message>
            <source>{0:,} model output</source>
            <translation>{0:,} 条模型结果</translation>
        </message>
        <message>
            <source>{0:,} model outputs</source>
            <translation>{0:,} 条模型结果</translation>
        </message>
        <message>
            <source>{0:,} rejected line</source>
            <translation>{0:,} 行未导入的行</translation>
        </message>
        <message>
            <source>{0:,} rejected lines</source>
            <translation>{0:,} 条未导入的行</translation>
        </message>
        <message>
            <source>1 trained model used them and is marked out of date: train again to leave them out.</source>
            <translation>有 1 个已训练的模型用到了这些数据，已被标记为过期：请重新训练以排除这些数据。</translation>
        </message>
        <message>
            <source>epoch {0}/{1}{2}: train loss {3:.4f}, valid loss {4:.4f}{5}</source>
            <translation>第 {0}/{1} 轮{2}：训练损失 {3:.4f}，验证损失 {4:.4f}{5}</translation>
        </message>
        <message>
            <source>Training stopped before the first epoch finished: nothing was saved.</source>
            <translation>训练在第一轮完成之前就停止了：未保存任何内容。</translation>
        </message>
        <message>
            <source>unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <source>What moved the score most:</source>
            <translation>影响评分最多的行为：</translation>
        </message>
        <message>
            <source>the text encoding, when detection gets it wrong</source>
            <translation>文本编码（当自动识别出错时指定）</translation>
        </message>
        <message>
            <source>the column separator: , ; | tab space (for space-aligned columns)</source>
            <translation>列分隔符：, ; | tab space（space 用于按空格对齐的列）</translation>
        </message>
        <message>
            <source>whether the first line (after --skip-rows) names the columns</source>
            <translation>第一行（跳过 --skip-rows 之后）是否为列名</translation>
        </message>
        <message>
            <source>lines above the table to leave out (notes, a title)</source>
            <translation>表格上方要跳过的行数（说明、标题）</translation>
        </message>
        <message>
            <source>the decimal mark of numbers (default: decided per column)</source>
            <translation>数字的小数点符号（默认：按列判断）</translation>
        </message>
        <message>
            <source>the order of day, month and year in dates (default: from the values)</source>
            <translation>日期中日、月、年的顺序（默认：根据数值判断）</translation>
        </message>
        <message>
            <source>--skip-rows needs a number of lines, 0 or more.</source>
            <translation>--skip-rows 需要一个行数，0 或更大。</translation>
        </message>
        <message>
            <source>the project file (or --db URL)</source>
            <translation>项目文件（或 --db URL）</translation>
        </message>
        <message>
            <source>a project in a PostgreSQL database instead of a file, in place of PROJECT: postgresql+psycopg://user:password@host:5432/database</source>
            <translation>使用 PostgreSQL 数据库中的项目代替项目文件（替代 PROJECT）：postgresql+psycopg://user:password@host:5432/database</translation>
        </message>
        <message>
            <source>IntentLens: learn what your customers are about to want. Without a command, the desktop application opens.</source>
            <translation>IntentLens：了解您的客户接下来想要什么。不带命令时打开桌面应用。</translation>
        </message>
        <message>
            <source>render every page to PNG and exit</source>
            <translation>将每个页面渲染为 PNG 后退出</translation>
        </message>
        <message>
            <source>the project to open (GUI and --screenshots)</source>
            <translation>要打开的项目（图形界面和 --screenshots）</translation>
        </message>
        <message>
            <source>create a project filled with generated demo data</source>
            <translation>创建一个填入生成的演示数据的项目</translation>
        </message>
        <message>
            <source>how many customers the demo shop has, 10 to 1,000,000 (default 2,000)</source>
            <translation>演示店铺的客户数，10 到 1,000,000（默认 2,000）</translation>
        </message>
        <message>
            <source>the random seed: the same seed makes the same shop (default 7)</source>
            <translation>随机种子：相同的种子生成相同的店铺（默认 7）</translation>
        </message>
        <message>
            <source>one or more files as the shop exported them</source>
            <translation>一个或多个店铺导出的文件</translation>
        </message>
        <message>
            <source>what to export: rejected lines, intent scores, segments, recommendations or the sales forecast</source>
            <translation>要导出的内容：被拒绝的行、购买意向分数、客户分群、推荐或销售预测</translation>
        </message>
        <message>
            <source>import a behavior log (CSV, TSV, JSON lines, gzip, zip)</source>
            <translation>导入行为日志（CSV、TSV、JSON lines、gzip、zip）</translation>
        </message>
        <message>
            <source>the shop's export to import: CSV, TSV, JSON lines, gzip or zip</source>
            <translation>要导入的店铺导出文件：CSV、TSV、JSON lines、gzip 或 zip</translation>
        </message>
        <message>
            <source>a known format (taobao, rees46, retailrocket, uci_online_retail, otto, yoochoose_clicks, yoochoose_buys) or csv</source>
            <translation>已知格式（taobao、rees46、retailrocket、uci_online_retail、otto、yoochoose_clicks、yoochoose_buys）或 csv</translation>
        </message>
        <message>
            <source>the column with the order status (paid, cancelled, refunded, ...)</source>
            <translation>订单状态所在的列（已付款、已取消、已退款……）</translation>
        </message>
        <message>
            <source>replace customer ids by keyed pseudonyms (default: only when the customer column holds e-mail addresses)</source>
            <translation>用带密钥的化名替换客户编号（默认：仅当客户列是电子邮件地址时）</translation>
        </message>
        <message>
            <source>import a file again even though it was imported before</source>
            <translation>即使该文件以前导入过，也再次导入</translation>
        </message>
        <message>
            <source>print one JSON object</source>
            <translation>输出一个 JSON 对象</translation>
        </message>
        <message>
            <source>show how IntentLens reads CSV files (nothing is stored)</source>
            <translation>显示 IntentLens 如何读取 CSV 文件（不保存任何内容）</translation>
        </message>
        <message>
            <source>a known format, or csv</source>
            <translation>已知格式，或 csv</translation>
        </message>
        <message>
            <source>write each table as parsed to DIR/&lt;file name&gt; (UTF-8, comma, RFC 4180)</source>
            <translation>将解析后的每个表写到 DIR/&lt;文件名&gt;（UTF-8、逗号分隔、RFC 4180）</translation>
        </message>
        <message>
            <source>print one JSON object per file</source>
            <translation>每个文件输出一个 JSON 对象</translation>
        </message>
        <message>
            <source>delete everything about one customer from a project</source>
            <translation>从项目中删除某位客户的全部数据</translation>
        </message>
        <message>
            <source>the customer id as the shop knows it (or its pseudonym)</source>
            <translation>店铺使用的客户编号（或其化名）</translation>
        </message>
        <message>
            <source>train a model on a project</source>
            <translation>在项目上训练模型</translation>
        </message>
        <message>
            <source>one customer's intent score, rank and reasons</source>
            <translation>某位客户的购买意向评分、排名和原因</translation>
        </message>
        <message>
            <source>one customer's recommended next items and why</source>
            <translation>为某位客户推荐的下一批商品及原因</translation>
        </message>
        <message>
            <source>how many recommendations (default 10)</source>
            <translation>推荐数量（默认 10）</translation>
        </message>
        <message>
            <source>export data from a project as CSV or Excel (.xlsx)</source>
            <translation>将项目中的数据导出为 CSV 或 Excel（.xlsx）</translation>
        </message>
        <message>
            <source>recommendations per customer (recommendations only; default 10)</source>
            <translation>每位客户的推荐数（仅用于推荐；默认 10）</translation>
        </message>
        <message>
            <source>the file to write: an Excel workbook when it ends in .xlsx, else CSV</source>
            <translation>要写入的文件：以 .xlsx 结尾时为 Excel 工作簿，否则为 CSV</translation>
        </message>
        <message>
            <source>write the one-page project report (data, model verdicts, segments, whom to contact) as HTML or PDF</source>
            <translation>将一页项目报告（数据、模型结论、客户分群、联系对象）写为 HTML 或 PDF</translation>
        </message>
        <message>
            <source>the file to write: .html or .pdf</source>
            <translation>要写入的文件：.html 或 .pdf</translation>
        </message>
        <message>
            <source>whom to contact (highest expected spend first) and the expected money; writes the list as CSV or Excel (.xlsx)</source>
            <translation>联系谁（预计消费最高者在前）以及预计金额；将名单写为 CSV 或 Excel（.xlsx）</translation>
        </message>
        <message>
            <source>only this segment (customer profiles)</source>
            <translation>只包括此分群（客户画像）</translation>
        </message>
        <message>
            <source>only customers with at least this purchase probability (0 to 1)</source>
            <translation>只包括购买概率不低于此值的客户（0 到 1）</translation>
        </message>
        <message>
            <source>contact the first N customers of the list (default: all)</source>
            <translation>联系名单中的前 N 位客户（默认：全部）</translation>
        </message>
        <message>
            <source>contact as many as give the highest expected profit</source>
            <translation>联系能带来最高预计利润的人数</translation>
        </message>
        <message>
            <source>Imported {0} from {1} ({2}, {3}).</source>
            <translation>已从 {1} 导入 {0}（{2}，{3}）。</translation>
        </message>
        <message>
            <source>{0} read: {1:,} imported, {2:,} rejected.</source>
            <translation>共读取 {0}：导入 {1:,} 行，未导入 {2:,} 行。</translation>
        </message>
        <message>
            <source>{0:,} line</source>
            <translation>{0:,} 行</translation>
        </message>
        <message>
            <source>{0:,} lines</source>
            <translation>{0:,} 行</translation>
        </message>
        <message>
            <source>{0}, {1}, {2} to {3}, revenue {4:,.2f}.</source>
            <translation>{0}，{1}，{2} 至 {3}，销售额 {4:,.2f}。</translation>
        </message>
        <message>
            <source>{0:,} customer</source>
            <translation>{0:,} 位客户</translation>
        </message>
        <message>
            <source>{0:,} item</source>
            <translation>{0:,} 种商品</translation>
        </message>
        <message>
            <source>{0:,} items</source>
            <translation>{0:,} 种商品</translation>
        </message>
        <message>
            <source>line {0}</source>
            <translation>第 {0} 行</translation>
        </message>
        <message>
            <source>, escape {0}</source>
            <translation>，转义符 {0}</translation>
        </message>
        <message>
            <source> (lines {0})</source>
            <translation>（第 {0} 行）</translation>
        </message>
        <message>
            <source>Wrote {0} to {1}.</source>
            <translation>已将 {0} 写入 {1}。</translation>
        </message>
        <message>
            <source>{0:,} row</source>
            <translation>{0:,} 行</translation>
        </message>
        <message>
            <source>{0:,} rows</source>
            <translation>{0:,} 行</translation>
        </message>
        <message>
            <source>print one JSON object (progress goes to stderr)</source>
            <translation>输出一个 JSON 对象（进度写到 stderr）</translation>
        </message>
        <message>
            <source>Customer {0}</source>
            <translation>客户 {0}</translation>
        </message>
        <message>
            <source>History: {0}, {1}, revenue {2:,.2f}; first seen {3}, last seen {4}.</source>
            <translation>历史：{0}，{1}，收入 {2:,.2f}；首次出现 {3}，最近出现 {4}。</translation>
        </message>
        <message>
            <source>{0:,} purchase</source>
            <translation>{0:,} 次购买</translation>
        </message>
        <message>
            <source>Expected: about {0:,.1f} buyers ({1:,.1f} will not buy), {2:,.2f} in orders, profit {3:,.2f} at a {4:g}% margin and {5:,.2f} per contact.</source>
            <translation>预计：约 {0:,.1f} 位客户会购买（{1:,.1f} 位不会购买），订单金额 {2:,.2f}，按 {4:g}% 的利润率和每次联系 {5:,.2f} 的成本计算，利润 {3:,.2f}。</translation>
        </message>
        <message>
            <source>Customer {0}: recommended next (as of {1}; {2}):</source>
            <translation>客户 {0} 接下来的推荐（截至 {1}；{2}）：</translation>
        </message>
        <message>
            <source>No recommendations for this customer: they had no history at the as-of date.</source>
            <translation>没有给这位客户的推荐：截至日期时该客户还没有任何历史记录。</translation>
        </message>
        <message>
            <source>details were written to {0}</source>
            <translation>详细信息已写入 {0}</translation>
        </message>
        <message>
            <source>Error: IntentLens hit an unexpected problem ({0}); {1}.</source>
            <translation>错误：IntentLens 遇到意外问题（{0}）；{1}。</translation>
        </message>
        <message>
            <source>Stopped: nothing was changed.</source>
            <translation>已停止：未做任何更改。</translation>
        </message>
        <message>
            <source>Rejected: {0}.</source>
            <translation>未导入：{0}。</translation>
        </message>
        <message>
            <source>All rejected lines: python main.py export {0} rejected --out rejected.csv</source>
            <translation>查看所有未导入的行：python main.py export {0} rejected --out rejected.csv</translation>
        </message>
        <message>
            <source>Events: {0}.</source>
            <translation>行为：{0}。</translation>
        </message>
        <message>
            <source>{0} stored: each refunded order also gives a refund event.</source>
            <translation>共存储 {0}：每笔退款订单还会额外生成一条退款行为。</translation>
        </message>
        <message>
            <source>Warning: {0}</source>
            <translation>警告：{0}</translation>
        </message>
        <message>
            <source>{0}, {1}, separator {2}, quote {3}{4}{5}.</source>
            <translation>{0}，{1}，分隔符 {2}，引号 {3}{4}{5}。</translation>
        </message>
        <message>
            <source>Header: {0}; {1} above it left out.</source>
            <translation>表头：{0}；其上方有 {1} 被略过。</translation>
        </message>
        <message>
            <source>{0} of {1}; {2}{3}.</source>
            <translation>共 {0}、{1}；{2}{3}。</translation>
        </message>
        <message>
            <source>{0:,} column</source>
            <translation>{0:,} 列</translation>
        </message>
        <message>
            <source>{0:,} columns</source>
            <translation>{0:,} 列</translation>
        </message>
        <message>
            <source>{0:,} row does not fit</source>
            <translation>{0:,} 行与列数不符</translation>
        </message>
        <message>
            <source>{0:,} rows do not fit</source>
            <translation>{0:,} 行与列数不符</translation>
        </message>
        <message>
            <source>Format: {0}. Columns: {1}.</source>
            <translation>格式：{0}。列：{1}。</translation>
        </message>
        <message>
            <source>To import: {0}</source>
            <translation>导入前需处理：{0}</translation>
        </message>
        <message>
            <source>The project has no customer “{0}”.</source>
            <translation>项目中没有客户“{0}”。</translation>
        </message>
        <message>
            <source>Wrote the report to {0} ({1}).</source>
            <translation>报告已写入 {0}（{1}）。</translation>
        </message>
        <message>
            <source>{0:,} page</source>
            <translation>{0:,} 页</translation>
        </message>
        <message>
            <source>{0:,} pages</source>
            <translation>{0:,} 页</translation>
        </message>
        <message>
            <source>Wrote the report to {0}.</source>
            <translation>报告已写入 {0}。</translation>
        </message>
        <message>
            <source>--as-of {0}: not a date (use YYYY-MM-DD, from 1900 to 2099).</source>
            <translation>--as-of {0}：不是日期（请使用 YYYY-MM-DD 格式，1900 年至 2099 年之间）。</translation>
        </message>
        <message>
            <source>--as-of {0}: {1}.</source>
            <translation>--as-of {0}：{1}。</translation>
        </message>
        <message>
            <source>step {0}/{1}{2}</source>
            <translation>第 {0}/{1} 步{2}</translation>
        </message>
        <message>
            <source>start from the active model's weights (after importing new events)</source>
            <translation>从当前模型的权重开始训练（导入新行为之后）</translation>
        </message>
        <message>
            <source>Expected spend in the {0} after {1}: {2:,.2f} (likely {3:,.2f}–{4:,.2f}); next order {5}; churn risk {6}.</source>
            <translation>{1} 之后 {0}内的预计消费：{2:,.2f}（可能在 {3:,.2f}–{4:,.2f} 之间）；下次下单 {5}；流失风险 {6}。</translation>
        </message>
        <message>
            <source>{0} day</source>
            <translation>{0} 天</translation>
        </message>
        <message>
            <source>{0} days</source>
            <translation>{0} 天</translation>
        </message>
        <message>
            <source>This score comes from {0}: the deep model did not beat it on the latest period, and it gives no event-by-event reasons.</source>
            <translation>这个分数来自{0}：深度模型在最近一个周期里没有胜过它，因此没有逐个事件的原因说明。</translation>
        </message>
        <message>
            <source>Campaign list: the first {0:,} of {1} (highest expected spend within {2} first, as of {3}).</source>
            <translation>营销名单：{1}中的前 {0:,} 位（按 {2}内的预计消费从高到低排列，截至 {3}）。</translation>
        </message>
        <message>
            <source>Campaign list: the first {0:,} of {1} (highest expected spend first, as of {2}).</source>
            <translation>营销名单：{1}中的前 {0:,} 位（按预计消费从高到低排列，截至 {2}）。</translation>
        </message>
        <message>
            <source>Most profitable list size: the first {0:,} (expected profit {1:,.2f}).</source>
            <translation>利润最高的名单人数：前 {0:,} 位（预计利润 {1:,.2f}）。</translation>
        </message>
        <message>
            <source>which column holds a field ({0})</source>
            <translation>哪一列对应某个字段（{0}）</translation>
        </message>
        <message>
            <source>what a raw event word means ({0})</source>
            <translation>原始行为词的含义（{0}）</translation>
        </message>
        <message>
            <source>the event of every line of a file without an event column ({0})</source>
            <translation>没有行为列的文件中每一行代表的行为（{0}）</translation>
        </message>
        <message>
            <source>gross margin on an order, in percent (default {0:g})</source>
            <translation>每笔订单的毛利率，百分比（默认 {0:g}）</translation>
        </message>
        <message>
            <source>what one contact costs, in the shop's money (default {0:g})</source>
            <translation>每次联系的成本，以店铺货币计（默认 {0:g}）</translation>
        </message>
        <message>
            <source>The project is read-only, so nothing was changed: make it writable and try again.</source>
            <translation>项目是只读的，因此未做任何更改：请将其设为可写后重试。</translation>
        </message>
        <message>
            <source>The project is in use by another program, so nothing was changed: try again when the other program has finished.</source>
            <translation>项目正被另一个程序使用，因此未做任何更改：请在该程序结束后重试。</translation>
        </message>
        <message>
            <source>{0} expects NAME=VALUE, for example {0} {1}=Column.</source>
            <translation>{0} 需要 NAME=VALUE 形式，例如 {0} {1}=Column。</translation>
        </message>
        <message>
            <source>  line {0}: {1}  [{2}]</source>
            <translation>  第 {0} 行：{1}  [{2}]</translation>
        </message>
        <message>
            <source>--event {0}={1}: “{1}” is not an event; use one of {2}.</source>
            <translation>--event {0}={1}：“{1}”不是行为类型；请使用 {2} 之一。</translation>
        </message>
        <message>
            <source>Times: {0}{1}.</source>
            <translation>时间：{0}{1}。</translation>
        </message>
        <message>
            <source>Numbers in {0}: {1}.</source>
            <translation>{0} 中的数字：{1}。</translation>
        </message>
        <message>
            <source>Table as parsed: {0}</source>
            <translation>解析后的表格：{0}</translation>
        </message>
        <message>
            <source>{0} trained models used them and are marked out of date: train again to leave them out.</source>
            <translation>有 {0} 个已训练的模型用到了这些数据，已被标记为过期：请重新训练以排除这些数据。</translation>
        </message>
        <message>
            <source>{0} {1}: use a whole number from {2:,} to {3:,}.</source>
            <translation>{0} {1}：请使用 {2:,} 到 {3:,} 之间的整数。</translation>
        </message>
        <message>
            <source>step {0}/{1}{2}:{3}</source>
            <translation>第 {0}/{1} 步{2}:{3}</translation>
        </message>
        <message>
            <source>{0} {1}: {2}.</source>
            <translation>{0} {1}：{2}。</translation>
        </message>
        <message>
            <source>{0} {1}: use a number from {2:g} to {3:g}.</source>
            <translation>{0} {1}：请使用 {2:g} 到 {3:g} 之间的数字。</translation>
        </message>
        <message>
            <source>There are no recommendations yet: train recommendations first (python main.py train recommend {0}).</source>
            <translation>还没有推荐结果：请先训练推荐模型（python main.py train recommend {0}）。</translation>
        </message>
        <message>
            <source>--delimiter {0}: give one character, or tab, space, comma, semicolon or pipe.</source>
            <translation>--delimiter {0}：请给出一个字符，或 tab、space、comma、semicolon、pipe 之一。</translation>
        </message>
        <message>
            <source>--db needs the URL of a database: --db postgresql+psycopg://user@host/database</source>
            <translation>--db 需要数据库的 URL：--db postgresql+psycopg://user@host/database</translation>
        </message>
        <message>
            <source>unrecognized arguments: {0} (with --db URL, leave out the project file)</source>
            <translation>无法识别的参数：{0}（使用 --db URL 时，请不要再给出项目文件）</translation>
        </message>
        <message>
            <source>argument {0}: {1}</source>
            <translation>参数 {0}：{1}</translation>
        </message>
        <message>
            <source>Error: {0}</source>
            <translation>错误：{0}</translation>
        </message>
        <message>
            <source>Error: {0} ({1}).</source>
            <translation>错误：{0}（{1}）。</translation>
        </message>
        <message>
            <source>{0} read ({1:.0%}, {2:,.0f}/s)</source>
            <translation>已读取 {0}（{1:.0%}，每秒 {2:,.0f} 行）</translation>
        </message>
        <message>
            <source>“{0}”: {1}.</source>
            <translation>“{0}”：{1}。</translation>
        </message>
        <message>
            <source>Nothing called “{0}” can be exported.</source>
            <translation>没有名为“{0}”的内容可以导出。</translation>
        </message>
        <message>
            <source>Seasonal naive (same period last cycle)</source>
            <translation>季节性朴素法（取上一轮同期）</translation>
        </message>
        <message>
            <source>Moving average</source>
            <translation>移动平均</translation>
        </message>
        <message>
            <source>Croston (intermittent demand)</source>
            <translation>Croston（间歇性需求）</translation>
        </message>
        <message>
            <source>TSB (intermittent demand)</source>
            <translation>TSB（间歇性需求）</translation>
        </message>
        <message>
            <source>ADIDA (intermittent demand)</source>
            <translation>ADIDA（间歇性需求）</translation>
        </message>
        <message>
            <source>Exponential smoothing (AutoETS)</source>
            <translation>指数平滑（AutoETS）</translation>
        </message>
        <message>
            <source>AutoARIMA</source>
            <translation>AutoARIMA</translation>
        </message>
        <message>
            <source>Global gradient boosting</source>
            <translation>全局梯度提升</translation>
        </message>
        <message>
            <source>Gradient boosting, no expected buyers</source>
            <translation>梯度提升，不含预期买家</translation>
        </message>
        <message>
            <source>Gradient boosting, no views, carts or buyers</source>
            <translation>梯度提升，不含浏览、加购和买家</translation>
        </message>
        <message>
            <source>seasonal naive</source>
            <translation>季节性朴素法</translation>
        </message>
        <message>
            <source>the moving average</source>
            <translation>移动平均</translation>
        </message>
        <message>
            <source>Croston</source>
            <translation>Croston</translation>
        </message>
        <message>
            <source>TSB</source>
            <translation>TSB</translation>
        </message>
        <message>
            <source>ADIDA</source>
            <translation>ADIDA</translation>
        </message>
        <message>
            <source>exponential smoothing</source>
            <translation>指数平滑</translation>
        </message>
        <message>
            <source>the global gradient-boosting model</source>
            <translation>全局梯度提升模型</translation>
        </message>
        <message>
            <source>gradient boosting without the expected buyers</source>
            <translation>不含预期买家的梯度提升</translation>
        </message>
        <message>
            <source>gradient boosting without views, carts or expected buyers</source>
            <translation>不含浏览、加购和预期买家的梯度提升</translation>
        </message>
        <message>
            <source>Categories</source>
            <translation>品类</translation>
        </message>
        <message>
            <source>Items</source>
            <translation>商品</translation>
        </message>
        <message>
            <source>the whole shop</source>
            <translation>整个店铺</translation>
        </message>
        <message>
            <source>categories</source>
            <translation>各类别</translation>
        </message>
        <message>
            <source>single items</source>
            <translation>单个商品</translation>
        </message>
        <message>
            <source>WAPE</source>
            <translation>WAPE</translation>
        </message>
        <message>
            <source>MASE</source>
            <translation>MASE</translation>
        </message>
        <message>
            <source>Pinball</source>
            <translation>Pinball 损失</translation>
        </message>
        <message>
            <source>P10–P90 held</source>
            <translation>P10–P90 覆盖率</translation>
        </message>
        <message>
            <source>Zero-inflated model (chance to buy × spend if buying)</source>
            <translation>零膨胀模型（购买概率 × 购买时的消费）</translation>
        </message>
        <message>
            <source>Own past spend rate, shrunk to the shop's</source>
            <translation>自身过往消费水平（向全店水平校正）</translation>
        </message>
        <message>
            <source>Everyone spends the shop average</source>
            <translation>人人按店铺平均值消费</translation>
        </message>
        <message>
            <source>Usual gap, given the time already waited</source>
            <translation>常规间隔（结合已等待时间）</translation>
        </message>
        <message>
            <source>Last purchase + the customer's mean gap</source>
            <translation>上次购买 + 该客户的平均间隔</translation>
        </message>
        <message>
            <source>The shop's usual gap, for everyone</source>
            <translation>所有客户都用店铺的常见间隔</translation>
        </message>
        <message>
            <source>Learned from the shop's churners (logistic)</source>
            <translation>从本店流失客户中学习（逻辑回归）</translation>
        </message>
        <message>
            <source>Days since the last purchase</source>
            <translation>距上次购买的天数</translation>
        </message>
        <message>
            <source>High</source>
            <translation>高</translation>
        </message>
        <message>
            <source>Medium</source>
            <translation>中</translation>
        </message>
        <message>
            <source>Low</source>
            <translation>低</translation>
        </message>
        <message>
            <source>MAE</source>
            <translation>平均绝对误差</translation>
        </message>
        <message>
            <source>Top 10%</source>
            <translation>前 10% 占比</translation>
        </message>
        <message>
            <source>Days off</source>
            <translation>偏差天数</translation>
        </message>
        <message>
            <source>AUC</source>
            <translation>AUC</translation>
        </message>
        <message>
            <source>P10–P90</source>
            <translation>P10–P90 覆盖</translation>
        </message>
        <message>
            <source>orders so far</source>
            <translation>至今订单数</translation>
        </message>
        <message>
            <source>days they bought on</source>
            <translation>有购买的天数</translation>
        </message>
        <message>
            <source>spend so far</source>
            <translation>至今消费</translation>
        </message>
        <message>
            <source>average order</source>
            <translation>平均订单金额</translation>
        </message>
        <message>
            <source>days since their last purchase</source>
            <translation>距上次购买的天数</translation>
        </message>
        <message>
            <source>usual days between purchases</source>
            <translation>通常的购买间隔天数</translation>
        </message>
        <message>
            <source>wait since the last purchase ÷ their usual gap</source>
            <translation>距上次购买的等待 ÷ 通常间隔</translation>
        </message>
        <message>
            <source>days since first seen</source>
            <translation>首次出现至今的天数</translation>
        </message>
        <message>
            <source>days since their last visit</source>
            <translation>距上次访问的天数</translation>
        </message>
        <message>
            <source>actions in the last {0} days</source>
            <translation>最近 {0} 天的行为次数</translation>
        </message>
        <message>
            <source>actions in the {0} days before those</source>
            <translation>再往前 {0} 天的行为次数</translation>
        </message>
        <message>
            <source>activity trend (recent ÷ before)</source>
            <translation>活跃趋势（最近 ÷ 之前）</translation>
        </message>
        <message>
            <source>cart adds in the last {0} days</source>
            <translation>最近 {0} 天的加购次数</translation>
        </message>
        <message>
            <source>views in the last {0} days</source>
            <translation>最近 {0} 天的浏览次数</translation>
        </message>
        <message>
            <source>Views</source>
            <translation>浏览</translation>
        </message>
        <message>
            <source>Searches</source>
            <translation>搜索</translation>
        </message>
        <message>
            <source>Clicks</source>
            <translation>点击</translation>
        </message>
        <message>
            <source>Cart adds</source>
            <translation>加入购物车</translation>
        </message>
        <message>
            <source>Removals from the cart</source>
            <translation>从购物车移除</translation>
        </message>
        <message>
            <source>Favorites</source>
            <translation>收藏</translation>
        </message>
        <message>
            <source>Purchases</source>
            <translation>购买</translation>
        </message>
        <message>
            <source>Returns</source>
            <translation>退货</translation>
        </message>
        <message>
            <source>Likes</source>
            <translation>点赞</translation>
        </message>
        <message>
            <source>Comments</source>
            <translation>评论</translation>
        </message>
        <message>
            <source>Shares</source>
            <translation>分享</translation>
        </message>
        <message>
            <source>Other actions</source>
            <translation>其他操作</translation>
        </message>
        <message>
            <source>viewed</source>
            <translation>浏览</translation>
        </message>
        <message>
            <source>searched</source>
            <translation>搜索</translation>
        </message>
        <message>
            <source>clicked</source>
            <translation>点击</translation>
        </message>
        <message>
            <source>added to cart</source>
            <translation>加入购物车</translation>
        </message>
        <message>
            <source>removed from cart</source>
            <translation>移出购物车</translation>
        </message>
        <message>
            <source>favorited</source>
            <translation>收藏</translation>
        </message>
        <message>
            <source>bought</source>
            <translation>购买</translation>
        </message>
        <message>
            <source>refunded</source>
            <translation>退款</translation>
        </message>
        <message>
            <source>liked</source>
            <translation>点赞</translation>
        </message>
        <message>
            <source>commented</source>
            <translation>评论</translation>
        </message>
        <message>
            <source>shared</source>
            <translation>分享</translation>
        </message>
        <message>
            <source>other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>cut off</source>
            <translation>行被截断</translation>
        </message>
        <message>
            <source>wrong number of values</source>
            <translation>值的个数不对</translation>
        </message>
        <message>
            <source>empty</source>
            <translation>空行</translation>
        </message>
        <message>
            <source>no customer id</source>
            <translation>没有客户编号</translation>
        </message>
        <message>
            <source>time not readable</source>
            <translation>时间无法读取</translation>
        </message>
        <message>
            <source>no event type</source>
            <translation>没有行为类型</translation>
        </message>
        <message>
            <source>not valid JSON</source>
            <translation>不是有效的 JSON</translation>
        </message>
        <message>
            <source>header line repeated</source>
            <translation>重复的表头行</translation>
        </message>
        <message>
            <source>totals rows</source>
            <translation>合计行</translation>
        </message>
        <message>
            <source>notes above the header</source>
            <translation>表头上方的说明</translation>
        </message>
        <message>
            <source>number too large</source>
            <translation>数字过大</translation>
        </message>
        <message>
            <source>quote not closed</source>
            <translation>引号未闭合</translation>
        </message>
        <message>
            <source>line too long</source>
            <translation>行过长</translation>
        </message>
        <message>
            <source>nested too deeply</source>
            <translation>嵌套过深</translation>
        </message>
        <message>
            <source>other problems</source>
            <translation>其他问题</translation>
        </message>
        <message>
            <source>usage: </source>
            <translation>用法：</translation>
        </message>
        <message>
            <source>positional arguments</source>
            <translation>位置参数</translation>
        </message>
        <message>
            <source>options</source>
            <translation>选项</translation>
        </message>
        <message>
            <source>show this help message and exit</source>
            <translation>显示此帮助信息并退出</translation>
        </message>
        <message>
            <source>the following arguments are required: %s</source>
            <translation>缺少以下参数：%s</translation>
        </message>
        <message>
            <source>unrecognized arguments: %s</source>
            <translation>无法识别的参数：%s</translation>
        </message>
        <message>
            <source>invalid choice: %(value)r (choose from %(choices)s)</source>
            <translation>无效的选项：%(value)r（可选：%(choices)s）</translation>
        </message>
        <message>
            <source>expected one argument</source>
            <translation>需要一个值</translation>
        </message>
        <message>
            <source>expected at most one argument</source>
            <translation>最多需要一个值</translation>
        </message>
        <message>
            <source>expected at least one argument</source>
            <translation>至少需要一个值</translation>
        </message>
        <message>
            <source>expected %s argument</source>
            <translation>需要 %s 个值</translation>
        </message>
        <message>
            <source>expected %s arguments</source>
            <translation>需要 %s 个值</translation>
        </message>
        <message>
            <source>not allowed with argument %s</source>
            <translation>不能与参数 %s 一起使用</translation>
        </message>
        <message>
            <source>one of the arguments %s is required</source>
            <translation>必须提供参数 %s 之一</translation>
        </message>
        <message>
            <source>ambiguous option: %(option)s could match %(matches)s</source>
            <translation>选项不明确：%(option)s 可能是 %(matches)s</translation>
        </message>
        <message>
            <source>invalid %(type)s value: %(value)r</source>
            <translation>无效的 %(type)s 值：%(value)r</translation>
        </message>
        <message>
            <source>ignored explicit argument %r</source>
            <translation>忽略了显式参数 %r</translation>
        </message>
        <message>
            <source>comma for thousands</source>
            <translation>逗号作千位分隔</translation>
        </message>
        <message>
            <source>point for thousands</source>
            <translation>句点作千位分隔</translation>
        </message>
        <message>
            <source>space for thousands</source>
            <translation>空格作千位分隔</translation>
        </message>
        <message>
            <source>apostrophe for thousands</source>
            <translation>撇号作千位分隔</translation>
        </message>
        <message>
            <source>Unix time in seconds</source>
            <translation>Unix 时间（秒）</translation>
        </message>
        <message>
            <source>Unix time in milliseconds</source>
            <translation>Unix 时间（毫秒）</translation>
        </message>
        <message>
            <source>Unix time in microseconds</source>
            <translation>Unix 时间（微秒）</translation>
        </message>
        <message>
            <source>Unix time in nanoseconds</source>
            <translation>Unix 时间（纳秒）</translation>
        </message>
        <message>
            <source>Excel serial day numbers (45291.5 is 31/12/2023 12:00)</source>
            <translation>Excel 日期序号（45291.5 即 2023-12-31 12:00）</translation>
        </message>
        <message>
            <source>YYYYMMDD dates (20231231)</source>
            <translation>YYYYMMDD 日期（20231231）</translation>
        </message>
        <message>
            <source>YYYYMMDDhhmmss times (20231231140509)</source>
            <translation>YYYYMMDDhhmmss 时间（20231231140509）</translation>
        </message>
        <message>
            <source>ISO dates (2019-10-01 00:00:00)</source>
            <translation>ISO 日期（2019-10-01 00:00:00）</translation>
        </message>
        <message>
            <source>day</source>
            <translation>天</translation>
        </message>
        <message>
            <source>month</source>
            <translation>月</translation>
        </message>
        <message>
            <source>year</source>
            <translation>年</translation>
        </message>
        <message>
            <source>Base rate (everyone alike)</source>
            <translation>基准比例（所有人一样）</translation>
        </message>
        <message>
            <source>RFM logistic regression</source>
            <translation>RFM 逻辑回归</translation>
        </message>
        <message>
            <source>Gradient boosting on aggregates</source>
            <translation>基于汇总特征的梯度提升</translation>
        </message>
        <message>
            <source>the deep model</source>
            <translation>深度模型</translation>
        </message>
        <message>
            <source>the base rate (everyone gets the same score)</source>
            <translation>基准比率（每个人得分相同）</translation>
        </message>
        <message>
            <source>gradient boosting on the customer aggregates</source>
            <translation>基于客户汇总指标的梯度提升</translation>
        </message>
        <message>
            <source>Viewed {x}</source>
            <translation>浏览了{x}</translation>
        </message>
        <message>
            <source>Searched for {q}</source>
            <translation>搜索了{q}</translation>
        </message>
        <message>
            <source>Clicked {x}</source>
            <translation>点击了{x}</translation>
        </message>
        <message>
            <source>Added {x} to cart</source>
            <translation>把{x}加入购物车</translation>
        </message>
        <message>
            <source>Removed {x} from cart</source>
            <translation>把{x}移出购物车</translation>
        </message>
        <message>
            <source>Saved {x} as a favorite</source>
            <translation>收藏了{x}</translation>
        </message>
        <message>
            <source>Bought {x}</source>
            <translation>购买了{x}</translation>
        </message>
        <message>
            <source>Returned {x}</source>
            <translation>退回了{x}</translation>
        </message>
        <message>
            <source>Liked {x}</source>
            <translation>点赞了{x}</translation>
        </message>
        <message>
            <source>Commented on {x}</source>
            <translation>评论了{x}</translation>
        </message>
        <message>
            <source>Shared {x}</source>
            <translation>分享了{x}</translation>
        </message>
        <message>
            <source>Did something with {x}</source>
            <translation>对{x}有其他操作</translation>
        </message>
        <message>
            <source>Weekend</source>
            <translation>周末</translation>
        </message>
        <message>
            <source>Evening</source>
            <translation>晚间</translation>
        </message>
        <message>
            <source>bargain</source>
            <translation>低价</translation>
        </message>
        <message>
            <source>premium</source>
            <translation>高端</translation>
        </message>
        <message>
            <source>lapsed</source>
            <translation>流失的</translation>
        </message>
        <message>
            <source>shoppers</source>
            <translation>购物者</translation>
        </message>
        <message>
            <source>researchers</source>
            <translation>研究型买家</translation>
        </message>
        <message>
            <source>regulars</source>
            <translation>常客</translation>
        </message>
        <message>
            <source>cart abandoners</source>
            <translation>弃购者</translation>
        </message>
        <message>
            <source>hunters</source>
            <translation>淘货者</translation>
        </message>
        <message>
            <source>browsers</source>
            <translation>浏览者</translation>
        </message>
        <message>
            <source>occasional buyers</source>
            <translation>偶尔购买者</translation>
        </message>
        <message>
            <source>big spenders</source>
            <translation>高消费者</translation>
        </message>
        <message>
            <source>frequent</source>
            <translation>频繁</translation>
        </message>
        <message>
            <source>occasional</source>
            <translation>偶尔</translation>
        </message>
        <message>
            <source>big-basket</source>
            <translation>大单</translation>
        </message>
        <message>
            <source>small-basket</source>
            <translation>小单</translation>
        </message>
        <message>
            <source>more active</source>
            <translation>更活跃</translation>
        </message>
        <message>
            <source>less active</source>
            <translation>较不活跃</translation>
        </message>
        <message>
            <source>share of revenue</source>
            <translation>收入占比</translation>
        </message>
        <message>
            <source>activity on weekends</source>
            <translation>周末活动</translation>
        </message>
        <message>
            <source>activity in the evening</source>
            <translation>晚间活动</translation>
        </message>
        <message>
            <source>views per purchase</source>
            <translation>每次购买的浏览数</translation>
        </message>
        <message>
            <source>share of searches</source>
            <translation>搜索占比</translation>
        </message>
        <message>
            <source>share of favorites</source>
            <translation>收藏占比</translation>
        </message>
        <message>
            <source>carts abandoned</source>
            <translation>放弃的购物车</translation>
        </message>
        <message>
            <source>purchase days per customer</source>
            <translation>每位客户的购买天数</translation>
        </message>
        <message>
            <source>typical item price</source>
            <translation>典型商品价格</translation>
        </message>
        <message>
            <source>typical basket value</source>
            <translation>典型订单金额</translation>
        </message>
        <message>
            <source>PR AUC</source>
            <translation>PR AUC</translation>
        </message>
        <message>
            <source>Brier</source>
            <translation>Brier 分数</translation>
        </message>
        <message>
            <source>Accuracy</source>
            <translation>准确率</translation>
        </message>
        <message>
            <source>Precision</source>
            <translation>精确率</translation>
        </message>
        <message>
            <source>Recall</source>
            <translation>召回率</translation>
        </message>
        <message>
            <source>F1</source>
            <translation>F1</translation>
        </message>
        <message>
            <source>Lift 10%</source>
            <translation>前10%提升度</translation>
        </message>
        <message>
            <source>Recent popularity</source>
            <translation>近期热门商品</translation>
        </message>
        <message>
            <source>Own history (repeat-aware)</source>
            <translation>自身历史（考虑回购）</translation>
        </message>
        <message>
            <source>Bought together / chosen after</source>
            <translation>一起购买 / 之后选择</translation>
        </message>
        <message>
            <source>Neural sequence model</source>
            <translation>神经序列模型</translation>
        </message>
        <message>
            <source>Blend (learned reranker)</source>
            <translation>组合（学习的重排序）</translation>
        </message>
        <message>
            <source>popularity</source>
            <translation>热门商品</translation>
        </message>
        <message>
            <source>own history</source>
            <translation>自身历史</translation>
        </message>
        <message>
            <source>co-occurrence</source>
            <translation>共现</translation>
        </message>
        <message>
            <source>the neural model</source>
            <translation>神经网络模型</translation>
        </message>
        <message>
            <source>the blend</source>
            <translation>组合方法</translation>
        </message>
        <message>
            <source>Recall@10</source>
            <translation>Recall@10</translation>
        </message>
        <message>
            <source>Recall@20</source>
            <translation>Recall@20</translation>
        </message>
        <message>
            <source>MRR@20</source>
            <translation>MRR@20</translation>
        </message>
        <message>
            <source>NDCG@20</source>
            <translation>NDCG@20</translation>
        </message>
        <message>
            <source>Coverage</source>
            <translation>覆盖率</translation>
        </message>
        <message>
            <source>Profiles</source>
            <translation>客户画像</translation>
        </message>
        <message>
            <source>Recommend</source>
            <translation>推荐</translation>
        </message>
        <message>
            <source>Value</source>
            <translation>价值</translation>
        </message>
        <message>
            <source>Forecast</source>
            <translation>预测</translation>
        </message>
        <message>
            <source>Customer profiles &amp; segments</source>
            <translation>客户画像与分群</translation>
        </message>
        <message>
            <source>Recommendations</source>
            <translation>商品推荐</translation>
        </message>
        <message>
            <source>purchase intent: who buys within the next days</source>
            <translation>购买意向：接下来几天内谁会购买</translation>
        </message>
        <message>
            <source>customer profiles: find segments and describe them</source>
            <translation>客户画像：找出客户分群并加以描述</translation>
        </message>
        <message>
            <source>recommendations: what each customer wants next</source>
            <translation>推荐：每位客户接下来想要什么</translation>
        </message>
        <message>
            <source>customer value: expected spend, next order date and churn risk per customer</source>
            <translation>客户价值：每位客户的预计消费、下次下单日期和流失风险</translation>
        </message>
        <message>
            <source>sales forecast: units and revenue per item and category for the coming weeks</source>
            <translation>销量预测：未来几周每个商品和类目的件数和收入</translation>
        </message>
        <message>
            <source>Saved as run {run_id}; scores: python main.py export {project} scores --out scores.csv</source>
            <translation>已保存为第 {run_id} 次运行；得分：python main.py export {project} scores --out scores.csv</translation>
        </message>
        <message>
            <source>
Saved as run {run_id}; every customer with their segment: python main.py export {project} segments --out segments.csv</source>
            <translation>
已保存为第 {run_id} 次运行；每位客户及其分群：python main.py export {project} segments --out segments.csv</translation>
        </message>
        <message>
            <source>Saved as run {run_id}; every customer's list: python main.py export {project} recommendations --out recommendations.csv</source>
            <translation>已保存为第 {run_id} 次运行；每位客户的推荐列表：python main.py export {project} recommendations --out recommendations.csv</translation>
        </message>
        <message>
            <source>Saved as run {run_id}; one customer: python main.py lookup {project} CUSTOMER --json</source>
            <translation>已保存为第 {run_id} 次运行；查看单个客户：python main.py lookup {project} CUSTOMER --json</translation>
        </message>
        <message>
            <source>Saved as run {run_id}; every forecast: python main.py export {project} forecast --out forecast.csv</source>
            <translation>已保存为第 {run_id} 次运行；全部预测：python main.py export {project} forecast --out forecast.csv</translation>
        </message>
        <message>
            <source>valid AUC</source>
            <translation>验证 AUC</translation>
        </message>
        <message>
            <source>Find automatically</source>
            <translation>自动确定</translation>
        </message>
        <message>
            <source>As of</source>
            <translation>截至日期</translation>
        </message>
        <message>
            <source>score as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>按此日期评分（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>Buys within</source>
            <translation>购买期限</translation>
        </message>
        <message>
            <source>days ahead, 1 to 365 (default: from the data, at most 30)</source>
            <translation>向后预测的天数，1 到 365（默认：根据数据决定，最多 30）</translation>
        </message>
        <message>
            <source>Preset</source>
            <translation>预设</translation>
        </message>
        <message>
            <source>how long and how carefully to train</source>
            <translation>训练的时长和细致程度</translation>
        </message>
        <message>
            <source>Fast</source>
            <translation>快速</translation>
        </message>
        <message>
            <source>Balanced</source>
            <translation>均衡</translation>
        </message>
        <message>
            <source>Thorough</source>
            <translation>精细</translation>
        </message>
        <message>
            <source>Epochs</source>
            <translation>训练轮数</translation>
        </message>
        <message>
            <source>epochs at most, 1 to 1000 (default: from the preset)</source>
            <translation>最多训练轮数，1 到 1000（默认：取自预设）</translation>
        </message>
        <message>
            <source>Batch size</source>
            <translation>批大小</translation>
        </message>
        <message>
            <source>customers per training step (default: from the preset)</source>
            <translation>每个训练步的客户数（默认：取自预设）</translation>
        </message>
        <message>
            <source>Learning rate</source>
            <translation>学习率</translation>
        </message>
        <message>
            <source>step size of the optimizer (default: from the preset)</source>
            <translation>优化器的步长（默认：取自预设）</translation>
        </message>
        <message>
            <source>Hidden size</source>
            <translation>隐藏层大小</translation>
        </message>
        <message>
            <source>size of the network's memory (default: from the preset)</source>
            <translation>网络记忆的容量（默认：取自预设）</translation>
        </message>
        <message>
            <source>Events per customer</source>
            <translation>每位客户的行为数</translation>
        </message>
        <message>
            <source>the latest events of each customer the network reads (default: from the preset)</source>
            <translation>网络读取每位客户最近多少条行为（默认：取自预设）</translation>
        </message>
        <message>
            <source>Dropout</source>
            <translation>随机丢弃率 (Dropout)</translation>
        </message>
        <message>
            <source>share of the network switched off at random while training</source>
            <translation>训练时随机关闭的网络比例</translation>
        </message>
        <message>
            <source>Weight decay</source>
            <translation>权重衰减</translation>
        </message>
        <message>
            <source>how strongly large weights are held back</source>
            <translation>对过大权重的抑制强度</translation>
        </message>
        <message>
            <source>Network</source>
            <translation>网络类型</translation>
        </message>
        <message>
            <source>the kind of recurrent network</source>
            <translation>循环神经网络的类型</translation>
        </message>
        <message>
            <source>LSTM</source>
            <translation>LSTM</translation>
        </message>
        <message>
            <source>GRU</source>
            <translation>GRU</translation>
        </message>
        <message>
            <source>Models averaged</source>
            <translation>平均的模型数</translation>
        </message>
        <message>
            <source>train this many models from different random starts and average their scores; steadier, takes that many times longer (default: from the preset)</source>
            <translation>从不同的随机起点训练这么多个模型并取其分数的平均值；结果更稳定，但耗时也相应成倍增加（默认：由预设决定）</translation>
        </message>
        <message>
            <source>Contact the top</source>
            <translation>联系评分前</translation>
        </message>
        <message>
            <source>who counts as 'will buy': the best-F1 threshold, or the top X% of scores</source>
            <translation>哪些客户算作“会购买”：按最佳 F1 阈值，或评分最高的前 X%</translation>
        </message>
        <message>
            <source>%</source>
            <translation>%</translation>
        </message>
        <message>
            <source>best F1</source>
            <translation>最佳 F1</translation>
        </message>
        <message>
            <source>Always use the deep model</source>
            <translation>始终使用深度模型</translation>
        </message>
        <message>
            <source>score customers with the deep model even when a simple method ranks buyers as well (by default the best simple method then serves the scores)</source>
            <translation>即使简单方法对买家的排序同样准确，也用深度模型为客户打分（默认情况下此时由最佳简单方法提供分数）</translation>
        </message>
        <message>
            <source>Seed</source>
            <translation>随机种子</translation>
        </message>
        <message>
            <source>the random start; the same seed repeats a run</source>
            <translation>随机起点；相同的种子可重现同一次训练</translation>
        </message>
        <message>
            <source>profile customers as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>按此日期为客户建立画像（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>how many segments (2 to 12), or auto to let the data decide (default)</source>
            <translation>分群数量（2 到 12），或选“自动”由数据决定（默认）</translation>
        </message>
        <message>
            <source>auto</source>
            <translation>自动</translation>
        </message>
        <message>
            <source>autoencoder epochs at most, 1 to 1000 (default 60)</source>
            <translation>自编码器最多训练轮数，1 到 1000（默认 60）</translation>
        </message>
        <message>
            <source>recommend as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>以此日期为准进行推荐（YYYY-MM-DD；默认：数据的最后一天）</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>未来</translation>
        </message>
        <message>
            <source>the days ahead a recommendation is for, 1 to 365 (default: from the data, at most 30)</source>
            <translation>推荐所针对的未来天数，1 到 365（默认：根据数据，最多 30）</translation>
        </message>
        <message>
            <source>how long and how carefully to train the sequence model</source>
            <translation>序列模型训练多久、多仔细</translation>
        </message>
        <message>
            <source>Items per customer</source>
            <translation>每位客户的商品数</translation>
        </message>
        <message>
            <source>how many items each customer gets, 1 to 100</source>
            <translation>每位客户得到多少件商品，1 到 100</translation>
        </message>
        <message>
            <source>Already bought</source>
            <translation>已买过的商品</translation>
        </message>
        <message>
            <source>leave out what a customer bought: learned per category (kept where people buy the same item again), always, or never</source>
            <translation>是否排除客户买过的商品：按品类学习（在人们会回购同一商品的品类中保留）、总是排除或从不排除</translation>
        </message>
        <message>
            <source>Learned per category</source>
            <translation>按品类学习</translation>
        </message>
        <message>
            <source>Always leave out what they bought</source>
            <translation>总是排除已买过的商品</translation>
        </message>
        <message>
            <source>Never leave out</source>
            <translation>从不排除</translation>
        </message>
        <message>
            <source>Never recommend</source>
            <translation>从不推荐</translation>
        </message>
        <message>
            <source>item ids separated by commas or spaces, or a text/CSV file whose first column lists them (out of stock, discontinued)</source>
            <translation>用逗号或空格分隔的商品编号，或第一列列出它们的文本/CSV 文件（缺货、停售）</translation>
        </message>
        <message>
            <source>Only these categories</source>
            <translation>只推荐这些品类</translation>
        </message>
        <message>
            <source>category names separated by commas; recommend only from these</source>
            <translation>用逗号分隔的品类名称；只从这些品类中推荐</translation>
        </message>
        <message>
            <source>Leave out the sequence model</source>
            <translation>不使用序列模型</translation>
        </message>
        <message>
            <source>measure only the fast methods (the neural sequence model takes the longest)</source>
            <translation>只评估快速的方法（神经序列模型耗时最长）</translation>
        </message>
        <message>
            <source>Memory half-life</source>
            <translation>记忆半衰期</translation>
        </message>
        <message>
            <source>how fast old interactions fade for own history and co-occurrence (auto: four times the horizon)</source>
            <translation>自身历史和共现方法中旧互动淡化的速度（自动：天数的四倍）</translation>
        </message>
        <message>
            <source>Customers checked</source>
            <translation>评估的客户数</translation>
        </message>
        <message>
            <source>at most this many customers (drawn at random) are used to measure the methods</source>
            <translation>最多用这么多位（随机抽取的）客户来评估各方法</translation>
        </message>
        <message>
            <source>predict as of this date (YYYY-MM-DD; default: end of data)</source>
            <translation>截至此日期进行预测（YYYY-MM-DD；默认：数据结束日）</translation>
        </message>
        <message>
            <source>Spend over the next</source>
            <translation>预计消费覆盖未来</translation>
        </message>
        <message>
            <source>the days the expected spend covers, 1 to 365 (default: from the data, at most 30)</source>
            <translation>预计消费覆盖的天数，1 到 365（默认：根据数据确定，最多 30）</translation>
        </message>
        <message>
            <source>Churn window at least</source>
            <translation>流失判定至少</translation>
        </message>
        <message>
            <source>a customer has churned after no order for 3 times their usual gap, and at least this many days</source>
            <translation>客户超过其平常下单间隔 3 倍且至少这么多天未下单，即视为已流失</translation>
        </message>
        <message>
            <source>forecast from this date (YYYY-MM-DD; default: end of data)</source>
            <translation>从此日期开始预测（YYYY-MM-DD；默认：数据结束日）</translation>
        </message>
        <message>
            <source>Weeks ahead</source>
            <translation>预测周数</translation>
        </message>
        <message>
            <source>how many weeks to forecast, 1 to 26</source>
            <translation>预测未来多少周，1 到 26</translation>
        </message>
        <message>
            <source>Down to</source>
            <translation>细化到</translation>
        </message>
        <message>
            <source>the finest level to forecast: item (also categories and the shop), category (also the shop) or shop</source>
            <translation>预测的最细层级：商品（同时包括品类和全店）、品类（同时包括全店）或全店</translation>
        </message>
        <message>
            <source>Periods</source>
            <translation>周期</translation>
        </message>
        <message>
            <source>weeks or days; auto chooses days for a short, busy log and weeks otherwise</source>
            <translation>按周或按天；自动模式下，记录短且交易频繁时按天，否则按周</translation>
        </message>
        <message>
            <source>From the data</source>
            <translation>根据数据</translation>
        </message>
        <message>
            <source>Weeks</source>
            <translation>周</translation>
        </message>
        <message>
            <source>Days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>Backtest origins</source>
            <translation>回测起点数</translation>
        </message>
        <message>
            <source>how many past dates each method forecasts from to measure its error, 1 to 8</source>
            <translation>每种方法从多少个过去的日期开始预测以衡量其误差，1 到 8</translation>
        </message>
        <message>
            <source>Items forecast</source>
            <translation>预测商品数</translation>
        </message>
        <message>
            <source>at most this many items, the best sellers first</source>
            <translation>最多预测这么多件商品，畅销品优先</translation>
        </message>
    </context>
    <context>
        <name>report</name>
        <message>
            <location filename="../../work/main/gui/report.py" line="+118" />
            <source>PDF documents (*.pdf)</source>
            <extracomment>Page margins in millimetres (room for a printer's unprintable edge and a hole punch). The PDF's resolution: fine enough for print, small numbers for the layout. The smallest scale a long report is shrunk to so that it stays one page (then it flows on).</extracomment>
            <translation>PDF 文档 (*.pdf)</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Web pages (*.html *.htm)</source>
            <translation>网页 (*.html *.htm)</translation>
        </message>
        <message>
            <location line="+2" />
            <source>{0}-report.pdf</source>
            <translation>{0}-报告.pdf</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Save the project report</source>
            <translation>保存项目报告</translation>
        </message>
        <message>
            <location line="+47" />
            <source>IntentLens report: {0}</source>
            <translation>IntentLens 报告：{0}</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Making the project report…</source>
            <translation>正在生成项目报告…</translation>
        </message>
        <message>
            <location line="+37" />
            <source>the project report</source>
            <translation>项目报告</translation>
        </message>
        <message>
            <location line="+1" />
            <source>the project report ({0} pages)</source>
            <translation>项目报告（{0} 页）</translation>
        </message>
    </context>
    <context>
        <name>widgets</name>
        <message>
            <location filename="../../work/main/gui/widgets.py" line="-131" />
            <source>CSV files (*.csv)</source>
            <extracomment>The ranges the page set (x and/or y, with padding): what "Reset view" goes back to. The QSettings key of the folder the last export went to.</extracomment>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Excel workbooks (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <location line="+34" />
            <source>Saved {0} to {1}.</source>
            <translation>已将 {0} 保存到 {1}。</translation>
        </message>
        <message>
            <location line="+4" />
            <source>Open folder</source>
            <translation>打开文件夹</translation>
        </message>
    </context>
    <context>
        <name>window</name>
        <message>
            <location filename="../../work/main/gui/app.py" line="+171" />
            <location line="+6" />
            <source>There is no project at {0}.</source>
            <translation>{0} 处没有项目。</translation>
        </message>
        <message>
            <location line="+21" />
            <source>Cannot open the project</source>
            <translation>无法打开项目</translation>
        </message>
    </context>
</TS>
